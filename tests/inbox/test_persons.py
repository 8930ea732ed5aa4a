"""People: identities gathered where a network proves it, merged and split by hand (audited), one profile."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from channels.connectors.base import ContactRef, InboundItem
from inbox.models import Contact, Conversation, Person, PersonChange, PersonNote
from inbox.services.ingest import ReceivedItem, inbound_items_ingest
from inbox.services.persons import PersonRefused, person_merge, person_note_add, person_split
from tests.factories import ChannelFactory, ContactFactory, ConversationFactory

pytestmark = pytest.mark.django_db


def receive(channel, author: ContactRef, body: str, thread: str, n: int = 0):
    item = InboundItem(
        external_id=f"{channel.key}-{thread}-{n}", thread_key=thread, is_private=True, author=author, body=body
    )
    inbound_items_ingest(received=[ReceivedItem(channel, item, timezone.now())])
    return Contact.objects.get(channel=channel, external_id=author.external_id)


@pytest.fixture
def counters(db):
    return {
        "wa_shop": ChannelFactory(kind="whatsapp", key="wa-shop", name="WhatsApp tienda", external_account_id="111"),
        "wa_obrador": ChannelFactory(kind="whatsapp", key="wa-obr", name="WhatsApp obrador", external_account_id="222"),
        "mail": ChannelFactory(kind="email", key="mail", name="Correo"),
        "mail2": ChannelFactory(kind="email", key="mail2", name="Pedidos"),
        "web": ChannelFactory(kind="web", key="web-p", name="Web"),
        "x": ChannelFactory(kind="x", key="x-p", name="X"),
    }


def test_a_proven_phone_or_address_is_one_person_and_nothing_weaker_merges(counters):
    phone = ContactRef(external_id="34600111222", handle="+34600111222", display_name="Rosa")
    first = receive(counters["wa_shop"], phone, "Hola", "wa:1")
    second = receive(counters["wa_obrador"], phone, "¿Tenéis tarta?", "wa:2")
    assert first.person_id == second.person_id and first.proven_identity == "phone:+34600111222"
    joined = PersonChange.objects.get(kind="joined")
    assert joined.contact == second and joined.person_id == first.person_id and joined.by is None

    mail = ContactRef(external_id="rosa@example.org", email="rosa@example.org", display_name="Rosa P.")
    a = receive(counters["mail"], mail, "Pedido", "mail:1")
    b = receive(counters["mail2"], ContactRef(external_id="ROSA@example.org", email="rosa@example.org"), "Otro", "m:2")
    assert a.person_id == b.person_id != first.person_id
    # A typed address (website form), a handle and a name prove nothing: their own people.
    web = receive(counters["web"], mail, "Desde la web", "email:rosa@example.org")
    tweet = receive(counters["x"], ContactRef(external_id="42", handle="@rosa", display_name="Rosa"), "Hola", "x:1")
    assert len({first.person_id, a.person_id, web.person_id, tweet.person_id}) == 4
    # Writing again changes nothing.
    receive(counters["wa_shop"], phone, "Otra vez", "wa:1", n=1)
    assert Person.objects.count() == 4


def test_merge_and_split_by_hand_are_audited_and_the_profile_shows_every_channel(counters, client, gestor):
    phone = receive(counters["wa_shop"], ContactRef(external_id="34600", display_name="Rosa"), "Hola", "wa:1")
    handle = receive(counters["x"], ContactRef(external_id="42", handle="@rosa_p"), "¿Abrís?", "x:1")
    whatsapp_person, x_person = phone.person, handle.person
    person_note_add(person=x_person, author=gestor, body="Prefiere que le escriban por la tarde")
    person_merge(person=whatsapp_person, other=x_person, by=gestor, reason="misma foto y nombre")
    handle.refresh_from_db()
    x_person.refresh_from_db()
    assert handle.person == whatsapp_person and x_person.merged_into == whatsapp_person
    assert PersonNote.objects.get().person == whatsapp_person
    merged = PersonChange.objects.get(kind="merged")
    assert merged.by == gestor and merged.other == x_person and merged.reason == "misma foto y nombre"
    with pytest.raises(PersonRefused):
        person_merge(person=whatsapp_person, other=x_person, by=gestor)  # already merged away

    client.force_login(gestor)
    html = client.get(reverse("inbox:person", args=[whatsapp_person.pk])).content.decode()
    assert html.count('data-testid="person-conversation"') == 2 and html.count('data-testid="identity"') == 2
    assert "WhatsApp tienda" in html and "@rosa_p" in html and "Prefiere que le escriban" in html
    # The old profile leads to the one it was merged into.
    old = client.get(reverse("inbox:person", args=[x_person.pk]))
    assert old.status_code == 302 and old["Location"] == reverse("inbox:person", args=[whatsapp_person.pk])

    response = client.post(reverse("inbox:person-split", args=[whatsapp_person.pk]), {"contact": handle.pk})
    handle.refresh_from_db()
    assert handle.person not in (whatsapp_person, x_person)
    assert response["Location"] == reverse("inbox:person", args=[handle.person_id])
    split = PersonChange.objects.get(kind="split")
    assert split.by == gestor and split.contact == handle and split.person == whatsapp_person
    with pytest.raises(PersonRefused):
        person_split(person=whatsapp_person, contact=phone, by=gestor)  # the only identity left


def test_the_conversation_links_to_the_person_made_on_demand_for_older_contacts(client, gestor, counters):
    older = ConversationFactory(channel=counters["web"], contact=ContactFactory(channel=counters["web"]))
    assert older.contact.person_id is None
    client.force_login(gestor)
    html = client.get(reverse("inbox:detail", args=[older.pk])).content.decode()
    link = reverse("inbox:contact-person", args=[older.contact_id])
    assert link in html
    response = client.get(link)
    older.contact.refresh_from_db()
    assert older.contact.person_id and response["Location"] == reverse("inbox:person", args=[older.contact.person_id])
    assert client.get(link)["Location"] == response["Location"]  # the same person the next time
    html = client.get(reverse("inbox:detail", args=[older.pk])).content.decode()
    assert reverse("inbox:person", args=[older.contact.person_id]) in html


def test_other_conversations_include_every_identity_of_the_person(client, gestor, counters):
    phone = receive(counters["wa_shop"], ContactRef(external_id="34600", display_name="Rosa"), "Hola", "wa:1")
    handle = receive(counters["x"], ContactRef(external_id="42", handle="@rosa_p"), "Mi pedido de X", "x:1")
    person_merge(person=phone.person, other=handle.person, by=gestor)
    client.force_login(gestor)
    conversation = Conversation.objects.get(contact=phone)
    html = client.get(reverse("inbox:detail", args=[conversation.pk])).content.decode()
    assert 'data-testid="other-conversations"' in html and "Mi pedido de X" in html


def test_the_profile_page_reads_a_fixed_number_of_queries(client, gestor, counters):
    def build(n):
        person = None
        for k in range(n):
            contact = receive(
                counters["x"], ContactRef(external_id=f"{n}-{k}", handle=f"@p{n}{k}"), "Hola", f"x:{n}:{k}"
            )
            if person is None:
                person = contact.person
            else:
                person_merge(person=person, other=contact.person, by=gestor)
            person_note_add(person=person, author=gestor, body=f"nota {k}")
        return person

    small, large = build(2), build(12)
    client.force_login(gestor)
    counts = []
    for person in (small, large):
        client.get(reverse("inbox:person", args=[person.pk]))  # warm the per-user caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("inbox:person", args=[person.pk]), {"q": "@p"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 14


def test_the_api_lists_finds_merges_splits_and_notes(gestor, owner, counters):
    phone = receive(counters["wa_shop"], ContactRef(external_id="34600", display_name="Rosa Pérez"), "Hola", "wa:1")
    handle = receive(counters["x"], ContactRef(external_id="42", handle="@rosa_p"), "Hola", "x:1")
    api = APIClient()
    api.force_authenticate(owner)
    listed = api.get("/api/v1/persons/").json()["results"]
    assert {p["id"] for p in listed} == {phone.person_id, handle.person_id}
    found = api.get("/api/v1/persons/", {"q": "rosa_p"}).json()["results"]
    assert [p["id"] for p in found] == [handle.person_id] and found[0]["identities"][0]["handle"] == "@rosa_p"
    assert api.post(f"/api/v1/persons/{phone.person_id}/merge/", {"other": handle.person_id}).status_code == 403

    api.force_authenticate(gestor)
    url = f"/api/v1/persons/{phone.person_id}/"
    merged = api.post(url + "merge/", {"other": handle.person_id, "reason": "misma persona"}, format="json")
    assert merged.status_code == 200 and len(merged.json()["identities"]) == 2
    assert len(merged.json()["conversations"]) == 2
    again = api.post(url + "merge/", {"other": phone.person_id}, format="json")
    assert again.status_code == 409 and again.json()["detail"]
    note = api.post(url + "notes/", {"body": "Cliente habitual"}, format="json")
    assert note.status_code == 201
    detail = api.get(url).json()
    assert detail["notes"][0]["body"] == "Cliente habitual" and detail["changes"][0]["kind"] == "merged"
    split = api.post(url + "split/", {"contact": handle.pk}, format="json")
    assert split.status_code == 201 and split.json()["identities"][0]["id"] == handle.pk
    assert api.get(f"/api/v1/persons/{handle.person_id}/").json()["id"] == phone.person_id  # merged away: its heir
    assert api.post(url + "merge/", {}, format="json").status_code == 400


def test_notes_need_text(gestor, counters):
    contact = receive(counters["x"], ContactRef(external_id="42", handle="@rosa_p"), "Hola", "x:1")
    with pytest.raises(PersonRefused):
        person_note_add(person=contact.person, author=gestor, body="   ")
    assert timezone.now() - contact.person.created_at < timedelta(minutes=1)


def test_ingest_pays_nothing_for_contacts_that_have_a_person(counters, django_assert_num_queries):
    from inbox.services.persons import persons_attach

    contact = receive(counters["x"], ContactRef(external_id="42", handle="@rosa_p"), "Hola", "x:1")
    with django_assert_num_queries(0):
        persons_attach(contacts=[contact], kinds={contact.channel_id: "x"})
    # Many new contacts at once: a fixed number of queries, whatever their number.
    new = [ContactFactory(channel=counters["wa_shop"], external_id=f"3460000{n}") for n in range(5)]
    with django_assert_num_queries(3):
        persons_attach(contacts=new, kinds={counters["wa_shop"].pk: "whatsapp"})
    assert len({c.person_id for c in new}) == 5 and all(c.proven_identity.startswith("phone:+") for c in new)
