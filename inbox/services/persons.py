"""People: one person's identities on every channel, gathered into one profile.

A contact is one identity on one channel (an X handle, a Facebook id, a
WhatsApp number, an e-mail address). New contacts are given a person as they
arrive (``persons_attach``, from ingest): the person who already has the same
*proven* identity (``Connector.proven_identity``: the number WhatsApp verified,
the address a mailbox received from), else a new one. Nothing weaker is merged
without asking: a name or a handle that look alike are merged by hand
(``person_merge``), and a wrong merge is undone by taking an identity out
(``person_split``); both are audited (``PersonChange``), like automatic joins.
Contacts stored before people existed have none until they write again or
someone opens their profile (``contact_person_ensure``).

Two batches that bring the same new phone at the same instant may give it two
people; the next identity joins the first, and the two are merged by hand.
"""

from __future__ import annotations

from django.db import transaction

from channels.connectors.registry import connector_class
from core.db import rows_update
from inbox.models import Contact, Conversation, Person, PersonChange, PersonNote


class PersonRefused(Exception):
    """A merge or split that cannot be done; the message says why."""


def _proven(kind: str, external_id: str) -> str:
    if external_id.startswith("unknown:"):  # an author the network did not name proves nothing
        return ""
    try:
        return connector_class(kind).proven_identity(external_id)[:260]
    except KeyError:  # a channel kind no longer registered
        return ""


def _name(contact: Contact) -> str:
    return (contact.display_name or contact.handle or contact.email or contact.external_id)[:200]


def persons_attach(*, contacts: list[Contact], kinds: dict[int, str]) -> None:
    """Give each contact without a person the person of its proven identity, or a
    new one. ``kinds``: channel id → channel kind. Costs no query when every
    contact has a person, three or four otherwise, whatever their number."""
    new = sorted((c for c in contacts if c.person_id is None), key=lambda c: c.pk)
    if not new:
        return
    proofs = {c.pk: _proven(kinds.get(c.channel_id, ""), c.external_id) for c in new}
    known = dict(
        Contact.objects.filter(proven_identity__in={p for p in proofs.values() if p}, person__isnull=False)
        .order_by("person_id")
        .values_list("proven_identity", "person_id")
        .distinct()
    )
    created: dict[str, Person] = {}  # proven identity → person created in this batch
    fresh: list[tuple[Contact, Person]] = []
    joined: list[Contact] = []
    for contact in new:
        proof = proofs[contact.pk]
        contact.proven_identity = proof
        if proof and proof in known:
            contact.person_id = known[proof]
            joined.append(contact)
        elif proof and proof in created:
            fresh.append((contact, created[proof]))
        else:
            person = Person(display_name=_name(contact))
            if proof:
                created[proof] = person
            fresh.append((contact, person))
    Person.objects.bulk_create(list({id(p): p for _c, p in fresh}.values()))
    for contact, person in fresh:
        contact.person = person
    # One batched UPDATE per row (cheaper in Python than bulk_update's CASE per row).
    rows_update(Contact, new, ["person", "proven_identity"], touch=False)
    if joined:
        PersonChange.objects.bulk_create(
            PersonChange(
                person_id=c.person_id or 0,
                kind=PersonChange.Kind.JOINED,
                contact=c,
                reason=f"same {c.proven_identity.partition(':')[0]}",
            )
            for c in joined
        )


def contact_person_ensure(*, contact: Contact) -> Person:
    """The contact's person, created now if it has none; returns it."""
    with transaction.atomic():
        locked = Contact.objects.select_for_update(of=("self",)).select_related("channel").get(pk=contact.pk)
        if locked.person_id is None:
            persons_attach(contacts=[locked], kinds={locked.channel_id: locked.channel.kind})
        assert locked.person is not None  # persons_attach gives every contact one
        return locked.person


def live_person(person: Person) -> Person:
    """The person, or the one it was merged into (followed to the end)."""
    seen: set[int] = set()
    while person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def person_merge(*, person: Person, other: Person, by, reason: str = "") -> Person:
    """Move every identity and note of ``other`` to ``person``, which stays; ``other``
    is kept, pointing at ``person``. Returns ``person``; raises ``PersonRefused``."""
    if person.pk == other.pk:
        raise PersonRefused("A person cannot be merged with themself.")
    with transaction.atomic():
        # Locked in id order, so two opposite merges cannot deadlock.
        locked = {
            p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[person.pk, other.pk]).order_by("pk")
        }
        person, other = locked[person.pk], locked[other.pk]
        if person.merged_into_id or other.merged_into_id:
            raise PersonRefused("One of them was already merged into someone else: open their current profile.")
        Contact.objects.filter(person=other).update(person=person)
        PersonNote.objects.filter(person=other).update(person=person)
        other.merged_into = person
        other.save(update_fields=["merged_into"])
        if not person.display_name and other.display_name:
            person.display_name = other.display_name
            person.save(update_fields=["display_name"])
        PersonChange.objects.create(
            person=person, kind=PersonChange.Kind.MERGED, other=other, by=by, reason=reason[:300]
        )
    return person


def person_split(*, person: Person, contact: Contact, by, reason: str = "") -> Person:
    """Take ``contact`` out of ``person`` into a new person of its own; returns the
    new person. Raises ``PersonRefused`` when it is not theirs or is their only identity."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.person_id != person.pk:
            raise PersonRefused("That identity is not this person's.")
        if not Contact.objects.filter(person=person).exclude(pk=contact.pk).exists():
            raise PersonRefused("It is this person's only identity: there is nothing to split.")
        new = Person.objects.create(display_name=_name(contact))
        contact.person = new
        contact.save(update_fields=["person"])
        PersonChange.objects.create(
            person=person, kind=PersonChange.Kind.SPLIT, other=new, contact=contact, by=by, reason=reason[:300]
        )
    return new


def person_note_add(*, person: Person, author, body: str) -> PersonNote:
    body = body.strip()
    if not body:
        raise PersonRefused("A note needs some text.")
    return PersonNote.objects.create(person=person, author=author, body=body[:5000])


def person_conversations(*, person: Person, limit: int = 50):
    """The person's conversations on every channel, latest activity first (at most ``limit``)."""
    from django.db.models import F

    return (
        Conversation.objects.filter(contact__person=person)
        .select_related("channel", "contact", "assignee")
        .order_by(F("last_inbound_at").desc(nulls_last=True), "-id")[:limit]
    )
