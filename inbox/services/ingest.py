"""From stored inbound events to contacts, conversations and messages.

Webhooks only store an ``InboundEvent`` and ask for a drain. The drain takes
accepted events in batches (``SKIP LOCKED``, so several workers share the
work), parses them with their connector and upserts everything a batch holds
in a handful of set-based queries. Re-delivered items add nothing: a message
is unique per channel by its external id.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.connectors.base import NETWORK_STATUSES, ContactRef, InboundItem, ItemKind, clean_data, clean_text
from channels.connectors.registry import connector_for
from channels.models import Channel, InboundEvent, UnparsedEntry
from channels.status import channel_disable, channel_failing, channels_recovered
from core.db import rows_update
from core.queue import dispatch
from inbox import events, lifecycle
from inbox.models import Contact, Conversation, Message
from inbox.services import contacts as contacts_module
from inbox.services import lookups, media, persons

logger = logging.getLogger(__name__)

DRAIN_FLAG = "ingest:drain-scheduled"
# A drain asked for and lost (its worker died) holds back new ones this long at most.
DRAIN_FLAG_SECONDS = 3
# Until when (time.time()) a drain that has not started reading is known to be
# pending, so this process need not ask again; see ``drain_schedule``.
_drain_pending_until = 0.0
# How long before that time this process asks again: an allowance for the
# clocks of the web and worker hosts (the drain starts no earlier than that time
# by the worker's clock; one host, or NTP, keeps them this close).
CLOCK_MARGIN_SECONDS = 0.02


@dataclass(frozen=True)
class ReceivedItem:
    """An item and when Mostrador received it (for networks that give no time)."""

    channel: Channel
    item: InboundItem
    received_at: datetime

    @property
    def key(self) -> tuple[int, str]:
        return (self.channel.pk, self.item.external_id)

    @property
    def written_at(self) -> datetime:
        return self.item.created_at or self.received_at


def drain_schedule() -> None:
    """Ask a worker to drain accepted events, at most once per pending drain.

    The flag in the cache holds the time the pending drain starts (its gather
    delay): the drain clears the flag and only then reads. So a process that
    finds the flag set, or set it itself, knows every event it stores until
    shortly before that time will be read by that drain, and does not ask
    again (no round trip to the cache per delivery in a burst).

    Never raises: with the broker or cache down the event is already stored,
    and the periodic drain picks it up.
    """
    from inbox.tasks import inbound_events_drain_task

    global _drain_pending_until
    now = time.time()
    if now < _drain_pending_until:
        return
    gather = settings.MOSTRADOR_INGEST_GATHER_SECONDS
    starts = now + gather
    try:
        first, pending = _flag_claim(starts)
    except Exception:
        logger.warning("Cache unavailable; dispatching the drain anyway.", exc_info=True)
        first, pending = True, None
    if not first:
        # A drain is pending and has not read yet (it clears the flag first): it reads this event.
        if pending is not None:
            _drain_pending_until = pending - CLOCK_MARGIN_SECONDS
        return
    # A short delay gathers a burst into one batch: one drain per burst, not one per event.
    if dispatch(inbound_events_drain_task, countdown=gather):
        if not inbound_events_drain_task.app.conf.task_always_eager:  # eager: it ran already
            _drain_pending_until = starts - CLOCK_MARGIN_SECONDS
    else:
        try:
            cache.delete(DRAIN_FLAG)
        except Exception:
            logger.debug("Cache unavailable too.", exc_info=True)


_flag_client: Any = None
# Set the flag unless it is set; answer nothing if this call set it, else its value.
_FLAG_CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])
"""


def _flag_claim(starts: float) -> tuple[bool, float | None]:
    """Set the drain flag to ``starts`` unless it is set. Return whether this
    call set it and, if it did not, when the pending drain starts (None if unknown).

    With Redis, one round trip on a client kept by the process (Django's cache
    builds a client per call and needs two calls here: most of a webhook's CPU
    once went to that); otherwise through the cache.
    """
    global _flag_client
    config = settings.CACHES["default"]
    location = config.get("LOCATION")
    if not str(config["BACKEND"]).endswith(".RedisCache") or not isinstance(location, str):
        if cache.add(DRAIN_FLAG, starts, timeout=DRAIN_FLAG_SECONDS):
            return True, None
        pending = cache.get(DRAIN_FLAG)
        return False, float(pending) if isinstance(pending, int | float) else None
    if _flag_client is None:
        import redis

        _flag_client = redis.Redis.from_url(location, socket_connect_timeout=2, socket_timeout=5)
    try:
        pending = _flag_client.eval(_FLAG_CLAIM, 1, cache.make_key(DRAIN_FLAG), repr(starts), DRAIN_FLAG_SECONDS)
    except Exception:
        _flag_client = None
        raise
    if pending is None:
        return True, None
    try:
        return False, float(pending)
    except ValueError:
        return False, None


def inbound_events_drain(*, batch_size: int | None = None) -> int:
    """Process the accepted events stored before it started (and those arriving
    while full batches are taken); return how many were taken."""
    batch_size = batch_size or settings.MOSTRADOR_INGEST_BATCH_SIZE
    # Cleared before reading, so an event stored after this point schedules a
    # new drain, and one stored before it is seen by the reads below.
    try:
        cache.delete(DRAIN_FLAG)
    except Exception:
        logger.debug("Cache unavailable; draining anyway.", exc_info=True)
    taken = 0
    while True:
        with transaction.atomic():
            events = list(
                InboundEvent.objects.select_for_update(skip_locked=True)
                .filter(status=InboundEvent.Status.ACCEPTED)
                .order_by("id")[:batch_size]
            )
            if not events:
                return taken
            # One Channel object per channel, not per event: each one decrypts its credentials.
            channels = Channel.objects.in_bulk({event.channel_id for event in events})
            for event in events:
                event.channel = channels.get(event.channel_id)
            inbound_events_process(events=events)
        taken += len(events)
        if len(events) < batch_size:
            # Whatever was stored before this drain cleared the flag is taken (or held by
            # another drain); what came since asked for a drain of its own, which gathers
            # it into a batch after the gather delay, instead of a tail of batches of one
            # or two here, each costing the fixed queries of a batch.
            return taken


def inbound_events_process(*, events: list[InboundEvent]) -> None:
    """Process locked events in one go; if the batch fails, one by one, so a
    bad event is marked failed without holding the others back.

    The caller holds a transaction and the events' row locks.
    """
    try:
        with transaction.atomic():
            _process_batch(events)
    except Exception:
        logger.warning("Batch of %s events failed; retrying one by one.", len(events), exc_info=True)
        for event in events:
            try:
                with transaction.atomic():
                    _process_batch([event])
            except Exception as exc:
                logger.exception("Inbound event %s failed.", event.pk)
                event.status = InboundEvent.Status.FAILED
                event.error = clean_text(f"{type(exc).__name__}: {exc}")[:2000]
                event.attempts += 1
                event.processed_at = timezone.now()
                event.save(update_fields=["status", "error", "attempts", "processed_at"])
                if event.channel_id:
                    channel_failing(channel_id=event.channel_id, reason=event.error)


def _process_batch(events: list[InboundEvent]) -> None:
    """Parse and ingest locked events. An entry its connector cannot understand
    is kept on its own (``UnparsedEntry``) and never costs its neighbours."""
    received: list[ReceivedItem] = []
    counts: dict[int, int] = {}
    unparsed: list[UnparsedEntry] = []
    revoked: list[Channel] = []
    for event in events:
        assert event.channel is not None  # only events of a channel are accepted
        report = connector_for(event.channel).parse_report(bytes(event.body), source=event.source)
        counts[event.pk] = len(report.items)
        received.extend(ReceivedItem(event.channel, item, event.received_at) for item in report.items)
        unparsed.extend(
            UnparsedEntry(event=event, channel=event.channel, reason=clean_text(u.reason)[:2000], raw=clean_data(u.raw))
            for u in report.unparsed
        )
        if report.revoked:
            revoked.append(event.channel)
    inbound_items_ingest(received=received)
    now = timezone.now()
    InboundEvent.objects.filter(pk__in=[event.pk for event in events]).update(
        status=InboundEvent.Status.PROCESSED, attempts=F("attempts") + 1, processed_at=now, error=""
    )
    # The webhook counted the items already; only a replayed or polled event may differ.
    for event in events:
        if event.item_count != counts[event.pk]:
            InboundEvent.objects.filter(pk=event.pk).update(item_count=counts[event.pk])
    channel_ids = {event.channel_id for event in events if event.channel_id}
    Channel.objects.filter(pk__in=channel_ids).update(last_event_at=now)
    UnparsedEntry.objects.bulk_create(unparsed)
    failing = {entry.channel.pk: entry.reason for entry in unparsed}
    for channel_id, reason in failing.items():
        channel_failing(channel_id=channel_id, reason=reason)
    channels_recovered(channel_ids=channel_ids - set(failing))
    for channel in revoked:
        channel_disable(channel=channel, reason=_("The network says the account's authorization was revoked."))


def inbound_items_ingest(*, received: list[ReceivedItem]) -> list[Message]:
    """Upsert contacts and conversations and add the new messages; return them.

    Idempotent: items whose external id is already stored are skipped. Must run
    inside a transaction (it locks the conversations it touches).

    Items of other kinds than messages are settled first (``_signals_apply``):
    likes and retweets are counted, handovers noted, mentions and X replies of
    unknown thread owed to a lookup. New messages owe copies of their pictures
    and, for nameless people on networks that give only ids, a profile read;
    both debts are recorded here and settled by tasks after commit.
    """
    received = _signals_apply([_with_author(entry) for entry in received])
    changes = [entry for entry in received if entry.item.change]
    unique: dict[tuple[int, str], ReceivedItem] = {}
    for entry in received:
        if not entry.item.change:
            unique.setdefault(entry.key, entry)
    if not unique:
        _network_changes_apply(changes)
        return []
    entries = sorted(unique.values(), key=lambda e: (e.channel.pk, e.written_at, e.item.external_id))

    contacts = _upsert_contacts(entries)
    persons.persons_attach(contacts=list(contacts.values()), kinds={e.channel.pk: e.channel.kind for e in entries})
    conversations = _lock_conversations(entries, contacts)

    # Checked after the conversations are locked: a concurrent batch holding
    # the same item holds the same conversation, so it has committed by now.
    already = _stored_message_keys(entries)
    fresh = [e for e in entries if e.key not in already]
    if not fresh:
        _network_changes_apply(changes)
        return []

    messages = [
        Message(
            conversation=conversations[(e.channel.pk, e.item.thread_key)],
            channel=e.channel,
            direction=Message.Direction.IN,
            external_id=e.item.external_id,
            author_contact=contacts[(e.channel.pk, e.item.author.external_id)],
            body=e.item.body,
            attachments=list(e.item.attachments),
            created_at=e.written_at,
            rating=e.item.rating,
        )
        for e in fresh
    ]
    Message.objects.bulk_create(messages)
    media.attachment_copies_owe(messages=messages)
    contacts_module.contact_profiles_owe(contacts=[contacts[(e.channel.pk, e.item.author.external_id)] for e in fresh])

    log = events.Batch()
    touched: dict[int, Conversation] = {}
    answerable = []
    for entry, message in zip(fresh, messages, strict=True):
        if entry.item.needs_reply is False:
            # An auto-reply or a bounce: kept and shown, but nobody is waiting for an answer.
            log.received(message=message)
            continue
        answerable.append(message)
        conversation = message.conversation
        touched[conversation.pk] = conversation
        written = message.created_at
        if conversation.status == Conversation.Status.RESOLVED:
            conversation.status = Conversation.Status.OPEN
            log.reopened(conversation=conversation)
        elif conversation.status == Conversation.Status.WAITING:
            conversation.status = Conversation.Status.OPEN
        conversation.first_inbound_at = min(filter(None, [conversation.first_inbound_at, written]))
        conversation.last_inbound_at = max(filter(None, [conversation.last_inbound_at, written]))
        if conversation.waiting_since is None:
            conversation.waiting_since = written
        if written >= conversation.last_inbound_at:
            conversation.snippet = media.message_summary(message)[:200]
        log.received(message=message)
    log.save()
    # The apps above (the protocol) classify and set deadlines in memory; one save for all.
    intake = lifecycle.Intake(messages=answerable, conversations=list(touched.values()), fields=list(_TIMES))
    lifecycle.run(lifecycle.Step.RECEIVED, intake=intake)
    rows_update(Conversation, intake.conversations, intake.fields)
    lifecycle.run(lifecycle.Step.CLASSIFIED, intake=intake)
    _network_changes_apply(changes)
    return messages


def _network_changes_apply(changes: list[ReceivedItem]) -> None:
    """Edits and removals by their authors: the message shows them, and every text is kept.

    An edit or removal that arrives before its item (deliveries come out of
    order) stores the item first with what the change carries.
    """
    for entry in changes:
        item = entry.item
        message = (
            Message.objects.select_for_update(of=("self",))
            .filter(channel=entry.channel, external_id=item.external_id)
            .first()
        )
        if message is None:
            if not item.body and not item.attachments:
                continue  # a removal of an item never stored (an X delete): nothing to show
            inbound_items_ingest(received=[ReceivedItem(entry.channel, replace(item, change=""), entry.received_at)])
            message = Message.objects.get(channel=entry.channel, external_id=item.external_id)
            if item.change == "edited":
                continue  # stored with the edited text already
        if item.change == "edited" and item.body and item.body != message.body:
            previous, message.body, message.edited_at = message.body, item.body, entry.written_at
            message.rating = item.rating if item.rating is not None else message.rating
            message.save(update_fields=["body", "edited_at", "rating"])
            events.edited(message=message, previous=previous)
        elif item.change == "removed" and message.removed_at is None:
            message.removed_at = entry.written_at
            message.save(update_fields=["removed_at"])
            events.removed(message=message)
            # The list no longer shows what its author took back.
            Conversation.objects.filter(
                pk=message.conversation_id, snippet=media.message_summary(message)[:200]
            ).update(snippet="")


_TIMES = ["status", "first_inbound_at", "last_inbound_at", "waiting_since", "snippet"]


def _upsert_contacts(entries: list[ReceivedItem]) -> dict[tuple[int, str], Contact]:
    """Contacts of the items' authors. Items that name the person (X, comments)
    refresh the stored name; items that carry only an id (Messenger, Instagram
    Direct) never wipe a name read from the person's profile."""
    named: dict[tuple[int, str], Contact] = {}
    bare: dict[tuple[int, str], Contact] = {}
    for e in entries:
        author = e.item.author
        contact = Contact(
            channel=e.channel,
            external_id=author.external_id,
            handle=author.handle,
            display_name=author.display_name,
            profile_url=author.profile_url,
            email=author.email,
        )
        key = (e.channel.pk, author.external_id)
        if author.display_name or author.email:
            named[key] = contact
            bare.pop(key, None)
        elif key not in named:
            bare[key] = contact
    keys = [*named, *bare]
    stored = {(c.channel_id, c.external_id): c for c in Contact.objects.filter(_keys_filter(keys, "external_id"))}
    # Only what is new or changed is written: an upsert of an unchanged row still
    # writes a new version of it (and of its index entries), the most of a batch's cost.
    named = {key: c for key, c in named.items() if key not in stored or _named_differently(stored[key], c)}
    bare = {key: c for key, c in bare.items() if key not in stored}
    if not named and not bare:
        return stored
    # Sorted, so concurrent batches lock rows in the same order (no deadlock).
    Contact.objects.bulk_create(
        [named[key] for key in sorted(named)],
        update_conflicts=True,
        unique_fields=["channel", "external_id"],
        update_fields=list(_NAMING),
    )
    Contact.objects.bulk_create([bare[key] for key in sorted(bare)], ignore_conflicts=True)
    for key, contact in named.items():
        if key in stored:  # renamed: as written
            for name in _NAMING:
                setattr(stored[key], name, getattr(contact, name))
    created = [key for key in [*named, *bare] if key not in stored]
    if created:
        stored.update(
            ((c.channel_id, c.external_id), c) for c in Contact.objects.filter(_keys_filter(created, "external_id"))
        )
    return stored


_NAMING = ("handle", "display_name", "profile_url", "email")


def _named_differently(stored: Contact, item: Contact) -> bool:
    return any(getattr(stored, name) != getattr(item, name) for name in _NAMING)


def _with_author(entry: ReceivedItem) -> ReceivedItem:
    """An item that names no author is its own unknown person, never merged with others."""
    if entry.item.author.external_id:
        return entry
    author = ContactRef(external_id=f"unknown:{entry.item.external_id}")
    return ReceivedItem(entry.channel, replace(entry.item, author=author), entry.received_at)


# Called with [(channel, kind, day, count)] when likes and retweets arrive; the
# listening app registers its counter here from ``AppConfig.ready()``.
_engagement_hooks: list[Callable[[list[tuple[Channel, str, date, int]]], None]] = []


def on_engagement(hook: Callable[[list[tuple[Channel, str, date, int]]], None]) -> None:
    if hook not in _engagement_hooks:
        _engagement_hooks.append(hook)


def _signals_apply(received: list[ReceivedItem]) -> list[ReceivedItem]:
    """Settle the items that are not messages, and hold back those that need the
    network first; return the messages (and changes) to store now."""
    counts: dict[tuple[int, str, date], int] = defaultdict(int)
    channels: dict[int, Channel] = {}
    handovers, owed, messages, statuses = [], [], [], []
    pending = [e for e in received if e.item.thread_pending and e.item.kind == ItemKind.MESSAGE]
    # The thread of a stored message, or of one arriving in the same batch.
    threads = {
        (e.channel.pk, e.item.external_id): (e.item.thread_key, e.item.parent_url)
        for e in received
        if e.item.kind == ItemKind.MESSAGE and not e.item.thread_pending
    } | _stored_threads(pending)
    for entry in received:
        item = entry.item
        if item.kind in ItemKind.ENGAGEMENT:
            channels[entry.channel.pk] = entry.channel
            counts[(entry.channel.pk, item.kind, timezone.localdate(entry.written_at))] += 1
        elif item.kind == ItemKind.HANDOVER:
            handovers.append(entry)
        elif item.kind == ItemKind.MENTION:
            owed.append(entry)
        elif item.kind == ItemKind.STATUS:
            statuses.append(entry)
        elif item.thread_pending:
            thread = threads.get((entry.channel.pk, item.in_reply_to))
            if thread is None:
                owed.append(entry)
            else:
                resolved = replace(
                    item, thread_key=thread[0], parent_url=thread[1] or item.parent_url, thread_pending=False
                )
                messages.append(ReceivedItem(entry.channel, resolved, entry.received_at))
        else:
            messages.append(entry)
    if counts:
        rows = [(channels[channel_id], kind, day, n) for (channel_id, kind, day), n in sorted(counts.items())]
        for hook in _engagement_hooks:
            hook(rows)
    _handovers_note(handovers)
    _network_statuses_apply(statuses)
    lookups.item_lookups_owe(received=owed)
    return messages


_STATUS_RANK = {state: rank for rank, state in enumerate(NETWORK_STATUSES)}


def _network_statuses_apply(entries: list[ReceivedItem]) -> None:
    """What the network says of our sent replies (WhatsApp ``statuses``), by the
    reply's external id. A state never moves backwards (statuses arrive out of
    order); a failure is logged on the conversation. Ids that are not ours (sent
    from the phone app) change nothing."""
    for entry in entries:
        state = entry.item.change
        if state not in _STATUS_RANK:
            continue
        earlier = ["", *(s for s in NETWORK_STATUSES if _STATUS_RANK[s] < _STATUS_RANK[state])]
        mine = Message.objects.filter(
            channel=entry.channel, external_id=entry.item.external_id, direction=Message.Direction.OUT
        )
        updated = mine.filter(network_status__in=earlier).update(
            network_status=state, network_status_at=entry.written_at, network_error=entry.item.body[:2000]
        )
        if updated and state == Message.NetworkStatus.FAILED:
            message = mine.select_related("conversation").first()
            if message is not None:
                events.reply_failed(message=message, error=entry.item.body or state)


def _stored_threads(entries: list[ReceivedItem]) -> dict[tuple[int, str], tuple[str, str]]:
    """The thread (key, parent URL) of each stored message the entries answer."""
    keys = [(e.channel.pk, e.item.in_reply_to) for e in entries if e.item.in_reply_to]
    if not keys:
        return {}
    stored = Message.objects.filter(_keys_filter(keys, "external_id")).values_list(
        "channel_id", "external_id", "conversation__thread_key", "conversation__parent_url"
    )
    return {(channel_id, external_id or ""): (thread, parent) for channel_id, external_id, thread, parent in stored}


def _handovers_note(entries: list[ReceivedItem]) -> None:
    """Messenger's handover protocol, as a note in the person's conversation
    (once per event; none when the conversation does not exist yet)."""
    for entry in entries:
        conversation = Conversation.objects.filter(channel=entry.channel, thread_key=entry.item.thread_key).first()
        if conversation is None:
            continue
        note, created = Message.objects.get_or_create(
            channel=entry.channel,
            external_id=entry.item.external_id,
            defaults={
                "conversation": conversation,
                "direction": Message.Direction.NOTE,
                "body": entry.item.body,
                "created_at": entry.written_at,
            },
        )
        if created:
            events.note_added(note=note)


def _lock_conversations(
    entries: list[ReceivedItem], contacts: dict[tuple[int, str], Contact]
) -> dict[tuple[int, str], Conversation]:
    new: dict[tuple[int, str], Conversation] = {}
    for e in entries:
        key = (e.channel.pk, e.item.thread_key)
        if key not in new:
            # Started by an auto-reply or a bounce: nothing to answer (a real message reopens it).
            unanswerable = e.item.needs_reply is False
            new[key] = Conversation(
                channel=e.channel,
                contact=contacts[(e.channel.pk, e.item.author.external_id)],
                kind=Conversation.Kind.PRIVATE if e.item.is_private else Conversation.Kind.PUBLIC,
                thread_key=e.item.thread_key,
                subject=e.item.subject[:300],
                parent_url=e.item.parent_url,
                status=Conversation.Status.RESOLVED if unanswerable else Conversation.Status.NEW,
                requires_reply=not unanswerable,
            )
    # Most items join a conversation that exists: only the others are inserted
    # (a conflict with one a concurrent batch is inserting is still ignored).
    existing = set(
        Conversation.objects.filter(_keys_filter(new.keys(), "thread_key")).values_list("channel_id", "thread_key")
    )
    Conversation.objects.bulk_create([new[key] for key in sorted(new) if key not in existing], ignore_conflicts=True)
    locked = (
        Conversation.objects.select_for_update(of=("self",))
        .filter(_keys_filter(new.keys(), "thread_key"))
        .select_related("category")
        .order_by("id")
    )
    # The batch's channels are loaded already (joining them would decrypt their credentials once per row).
    channels = {e.channel.pk: e.channel for e in entries}
    found = {}
    for c in locked:
        c.channel = channels[c.channel_id]
        found[(c.channel_id, c.thread_key)] = c
    return found


def _stored_message_keys(entries: list[ReceivedItem]) -> set[tuple[int, str]]:
    keys = [e.key for e in entries]
    stored = Message.objects.filter(_keys_filter(keys, "external_id")).values_list("channel_id", "external_id")
    return {(channel_id, external_id or "") for channel_id, external_id in stored}


def _keys_filter(keys, field: str) -> Q:
    """``(channel, field) IN keys`` as one OR per channel."""
    by_channel: dict[int, list[str]] = defaultdict(list)
    for channel_id, value in keys:
        by_channel[channel_id].append(value)
    query = Q(pk__in=[])
    for channel_id, values in by_channel.items():
        query |= Q(channel_id=channel_id, **{f"{field}__in": values})
    return query
