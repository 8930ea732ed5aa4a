"""Replies: queued in the database first, sent by a worker, never sent twice.

States of an outbound message: ``queued`` → ``sending`` → ``sent`` or
``failed``. A worker claims a queued message under a row lock by moving it to
``sending`` and committing before it calls the network, so two workers can
never both send it. A transient failure puts it back to ``queued`` with a
backoff; a permanent one, or too many attempts, leaves it ``failed`` until a
person retries. A message left in ``sending`` by a crashed worker may have
reached the network, so it is marked failed for a person to check, not re-sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.connectors.base import (
    CannotTell,
    Connector,
    ConnectorError,
    ContactRef,
    OutboundAttachment,
    OutboundReply,
    ReplyTemplate,
)
from channels.connectors.registry import connector_class, connector_for
from channels.status import channel_disable
from core.queue import dispatch
from inbox import events, lifecycle
from inbox.models import Conversation, Message
from inbox.services.media import public_url

logger = logging.getLogger(__name__)


class ReplyRefused(Exception):
    """The reply cannot be queued as written; the message says why."""


class ReplyConflict(Exception):
    """Someone replied after the newest message the writer saw: ``replies`` (oldest
    first). Sending anyway is the writer's call (``force``)."""

    def __init__(self, replies: list[Message]) -> None:
        self.replies = replies
        names = ", ".join(sorted({(m.sender.get_full_name() or m.sender.username) for m in replies if m.sender}))
        super().__init__(
            _("%(who)s replied while you were writing. Read it, then send yours anyway if it still helps.")
            % {"who": names or _("Someone")}
        )


def replies_since(*, conversation: Conversation, after: int) -> list[Message]:
    """Replies to the person (queued, sending or sent; not failed) written after message ``after``."""
    return list(
        conversation.messages.filter(direction=Message.Direction.OUT, pk__gt=after)
        .exclude(delivery_status=Message.DeliveryStatus.FAILED)
        .select_related("sender")
        .order_by("id")
    )


@dataclass(frozen=True)
class SendOutcome:
    message: Message
    retry_in: float | None = None  # seconds until the next attempt, when one is due


PRIVATE_REPLY_WINDOW = timedelta(days=7)  # Meta: a private reply to a comment within 7 days


def reply_window_left(conversation: Conversation, *, private: bool = False, now=None) -> timedelta | None:
    """How long a private reply may still be sent (None: the network sets no window)."""
    window = connector_class(conversation.channel.kind).reply_window
    if window is None or not (conversation.is_private or private) or conversation.last_inbound_at is None:
        return None
    if private and not conversation.is_private:
        window = PRIVATE_REPLY_WINDOW
    return conversation.last_inbound_at + window - (now or timezone.now())


def reply_check(*, conversation: Conversation, body: str, private: bool = False) -> str:
    """Return the reply text to store; raise ``ReplyRefused`` with the reason."""
    body = body.strip()
    if not body:
        raise ReplyRefused(_("Write a reply before sending."))
    connector = connector_for(conversation.channel)
    if private and (conversation.is_private or not connector.supports_private_reply):
        raise ReplyRefused(_("A private reply answers a public comment on Facebook or Instagram."))
    left = reply_window_left(conversation, private=private)
    if left is not None and left <= timedelta(0):
        hours = int(-left.total_seconds() // 3600)
        raise ReplyRefused(
            _(
                "The network's messaging window closed %(hours)s h ago: it only allows replies within "
                "%(window)s of the person's last message. Ask them to write again, or answer publicly."
            )
            % {"hours": hours, "window": "7 d" if private and not conversation.is_private else "24 h"}
            if not has_templates(connector)
            else _(
                "The 24-hour window closed %(hours)s h ago: outside it the network only takes an approved "
                "template. Pick one below."
            )
            % {"hours": hours}
        )
    problems = connector.validate_reply(body)
    for reasons in lifecycle.run(lifecycle.Step.REPLY_CHECK, conversation=conversation, body=body):
        problems.extend(reasons or [])
    if problems:
        raise ReplyRefused(" ".join(problems))
    return body


def reply_create(
    *,
    conversation: Conversation,
    sender,
    body: str,
    private: bool = False,
    after: int | None = None,
    force: bool = False,
) -> Message:
    """Queue a reply from ``sender`` and schedule its sending after commit. ``private``
    answers a public comment privately (Meta's private reply: the conversation moves to DM).

    ``after`` is the newest message the writer saw: if someone replied since,
    ``ReplyConflict`` is raised with those replies, unless ``force``. Two
    replies with the same ``after`` at the same moment: exactly one is queued
    (the conversation row is locked while checking and storing; the embedded
    SQLite default takes its write lock when the transaction begins)."""
    body = reply_check(conversation=conversation, body=body, private=private)
    return _reply_queue(
        conversation=conversation, sender=sender, body=body, private=private, after=None if force else after
    )


TEMPLATES_CACHE_SECONDS = 300


def has_templates(connector: Connector) -> bool:
    """Whether the network takes approved templates outside its window (the connector lists them)."""
    return type(connector).reply_templates is not Connector.reply_templates


def reply_templates_for(*, conversation: Conversation) -> tuple[list[ReplyTemplate] | None, str]:
    """The templates the channel's network accepts outside its messaging window
    (listed from the network, kept five minutes) and the error if it could not
    list them; ``(None, "")`` for networks without templates."""
    connector = connector_for(conversation.channel)
    key = f"reply-templates:{conversation.channel_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached, ""
    try:
        templates = connector.reply_templates()
    except ConnectorError as exc:
        return [], exc.message
    if templates is not None:
        cache.set(key, templates, TEMPLATES_CACHE_SECONDS)
    return templates, ""


def template_defaults(*, conversation: Conversation, template: ReplyTemplate) -> dict[str, str]:
    """Each variable's value from the conversation, where it can be guessed:
    ``{{1}}`` and name-like variables the person's first name, ``{{2}}`` and
    brand-like ones the business's name, subject-like ones the subject."""
    contact = conversation.contact
    first_name = (contact.display_name or "").split(" ")[0]
    guesses = {
        "name": first_name,
        "first_name": first_name,
        "customer_name": first_name,
        "nombre": first_name,
        "full_name": contact.display_name,
        "brand": settings.MOSTRADOR_BRAND_NAME,
        "business": settings.MOSTRADOR_BRAND_NAME,
        "company": settings.MOSTRADOR_BRAND_NAME,
        "subject": conversation.subject,
        "asunto": conversation.subject,
    }
    if template.param_format == "positional":
        guesses |= {"1": first_name, "2": settings.MOSTRADOR_BRAND_NAME}
    return {param: guesses.get(param.lower(), "") or "" for param in template.params}


def template_reply_create(
    *, conversation: Conversation, sender, name: str, language: str, values: dict[str, str]
) -> Message:
    """Queue an approved template (the only reply WhatsApp takes outside its
    24-hour window) with its variables filled; the stored body is its text as
    sent. The network approved the text, so the protocol's reply checks (tone,
    spelling) are not run on it. Raises ``ReplyRefused`` for an unknown
    template or an empty variable."""
    templates, error = reply_templates_for(conversation=conversation)
    if templates is None:
        raise ReplyRefused(_("This network has no message templates."))
    template = next((t for t in templates if t.name == name and t.language == language), None)
    if template is None:
        raise ReplyRefused(error or _("That template is not approved for this account."))
    values = {param: (values.get(param) or "").strip() for param in template.params}
    if missing := [param for param in template.params if not values[param]]:
        raise ReplyRefused(_("Fill every variable of the template: %(missing)s.") % {"missing": ", ".join(missing)})
    params: list[str] | dict[str, str] = (
        values if template.param_format == "named" else [values[p] for p in template.params]
    )
    body = template.render(params)
    return _reply_queue(
        conversation=conversation,
        sender=sender,
        body=body,
        template={"name": template.name, "language": template.language, "params": params},
    )


def _reply_queue(
    *,
    conversation: Conversation,
    sender,
    body: str,
    private: bool = False,
    template: dict | None = None,
    after: int | None = None,
) -> Message:
    """Store the reply as queued (and who now holds the conversation); send it after commit.
    With ``after``, refuse (``ReplyConflict``) if a reply was written since that message."""
    with transaction.atomic():
        # Replies to one conversation are stored one at a time: the second writer
        # waits here, then sees the first one's reply.
        Conversation.objects.select_for_update(of=("self",)).filter(pk=conversation.pk).values_list("pk").first()
        if after is not None and (since := replies_since(conversation=conversation, after=after)):
            raise ReplyConflict(since)
        message = Message.objects.create(
            conversation=conversation,
            channel_id=conversation.channel_id,
            direction=Message.Direction.OUT,
            sender=sender,
            body=body,
            created_at=timezone.now(),
            delivery_status=Message.DeliveryStatus.QUEUED,
            idempotency_key=Message.new_idempotency_key(),
            next_attempt_at=timezone.now(),
            to_private=private,
            template=template or {},
        )
        events.reply_queued(message=message)
        if conversation.assignee_id is None:
            # Whoever answers an unassigned conversation takes it.
            Conversation.objects.filter(pk=conversation.pk, assignee__isnull=True).update(assignee=sender)
            conversation.assignee = sender
            events.assigned(
                conversation=conversation,
                assignee_id=sender.pk,
                previous_assignee_id=None,
                reason="replied",
                by=sender,
            )
            lifecycle.run(
                lifecycle.Step.ASSIGNED,
                conversation=conversation,
                assignee_id=sender.pk,
                previous_assignee_id=None,
                reason="replied",
                by=sender,
            )
        transaction.on_commit(lambda: reply_dispatch(message_id=message.pk))
    return message


def reply_dispatch(*, message_id: int, countdown: float | None = None) -> None:
    """Hand a queued reply to a worker; if the broker is down the requeue sweep will."""
    from inbox.tasks import reply_send_task

    dispatch(reply_send_task, args=(message_id,), countdown=countdown)


def reply_send(*, message_id: int) -> SendOutcome:
    """Send one queued reply through its connector, at most once.

    Returns the outcome; ``retry_in`` is set when a transient failure left the
    message queued for another attempt.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("conversation__contact", "conversation__channel")
            .get(pk=message_id)
        )
        if message.delivery_status != Message.DeliveryStatus.QUEUED:
            return SendOutcome(message)
        message.delivery_status = Message.DeliveryStatus.SENDING
        message.attempts += 1
        message.next_attempt_at = timezone.now()
        message.save(update_fields=["delivery_status", "attempts", "next_attempt_at"])

    conversation = message.conversation
    try:
        receipt = connector_for(conversation.channel).send_reply(_outbound(message))
    except ConnectorError as exc:
        if exc.credentials:
            channel_disable(channel=conversation.channel, reason=exc.message)
        return _record_failure(message, exc.message, permanent=exc.permanent, retry_after=exc.retry_after)
    except Exception as exc:
        logger.exception("Reply %s failed unexpectedly.", message.pk)
        return _record_failure(message, f"{type(exc).__name__}: {exc}", permanent=True)
    return _record_sent(message, receipt.external_id)


def reply_retry(*, message: Message, by) -> Message:
    """Queue a failed reply again (a person decided it should go)."""
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, delivery_status=Message.DeliveryStatus.FAILED).update(
            delivery_status=Message.DeliveryStatus.QUEUED, next_attempt_at=timezone.now()
        )
        if not updated:
            raise ReplyRefused(_("Only a failed reply can be retried."))
        events.reply_retried(message=message, by=by)
        transaction.on_commit(lambda: reply_dispatch(message_id=message.pk))
    message.refresh_from_db()
    return message


def replies_requeue(*, now=None) -> dict[str, int]:
    """Dispatch queued replies whose task was lost, and reconcile stale sends.

    Returns how many were dispatched, found sent, queued again and marked failed.
    """
    now = now or timezone.now()
    grace = timedelta(seconds=60)
    due = list(
        Message.objects.filter(delivery_status=Message.DeliveryStatus.QUEUED)
        .filter(next_attempt_at__lte=now - grace)
        .values_list("pk", flat=True)[:500]
    )
    for message_id in due:
        reply_dispatch(message_id=message_id)
    stale = list(
        Message.objects.filter(
            delivery_status=Message.DeliveryStatus.SENDING,
            next_attempt_at__lte=now - settings.MOSTRADOR_SENDING_STALE_AFTER,
        ).values_list("pk", flat=True)[:100]
    )
    outcomes = {"dispatched": len(due), "found_sent": 0, "requeued": 0, "failed": 0, "unreachable": 0}
    for message_id in stale:
        outcomes[reply_reconcile(message_id=message_id, now=now)] += 1
    return outcomes


def reply_reconcile(*, message_id: int, now=None) -> str:
    """Settle a reply left in ``sending`` (its worker died mid-send): ask the
    network whether it arrived. Found: recorded as sent. Certainly not there,
    or harmless to send again (e-mail keeps its Message-ID): queued again.
    Otherwise it fails with the reason, for a person to check before Retry.
    Returns "found_sent", "requeued", "failed" or "unreachable" (ask again later).
    """
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("conversation__contact", "conversation__channel")
            .filter(pk=message_id, delivery_status=Message.DeliveryStatus.SENDING)
            .first()
        )
        if message is None:
            return "requeued"  # settled meanwhile
        started = message.next_attempt_at or now
        connector = connector_for(message.conversation.channel)
        try:
            receipt = connector.find_sent(_outbound(message), since=started - timedelta(minutes=1))
        except CannotTell as exc:
            if connector.resend_is_safe:
                receipt = None
            else:
                logger.info("Reply %s cannot be reconciled: %s", message.pk, exc)
                _record_failure(
                    message,
                    _(
                        "The send was interrupted and the network cannot say whether it arrived: "
                        "check the conversation on the network before retrying."
                    ),
                    permanent=True,
                )
                return "failed"
        except ConnectorError as exc:
            if not exc.permanent and now - started < settings.MOSTRADOR_SENDING_RECONCILE_FOR:
                return "unreachable"  # the network cannot be asked now: next sweep
            _record_failure(
                message,
                _("The send was interrupted and could not be checked on the network (%(error)s).")
                % {"error": exc.message},
                permanent=True,
            )
            return "failed"
        if receipt is not None:
            _record_sent(message, receipt.external_id)
            return "found_sent"
        Message.objects.filter(pk=message.pk).update(delivery_status=Message.DeliveryStatus.QUEUED, next_attempt_at=now)
        transaction.on_commit(lambda: reply_dispatch(message_id=message.pk))
        return "requeued"


def _outbound(message: Message) -> OutboundReply:
    conversation = message.conversation
    contact = conversation.contact
    answered = (
        conversation.messages.filter(direction=Message.Direction.IN, created_at__lte=message.created_at)
        .order_by("-created_at")
        .values_list("external_id", flat=True)
        .first()
    )
    return OutboundReply(
        idempotency_key=str(message.idempotency_key),
        body=message.body,
        thread_key=conversation.thread_key,
        is_private=conversation.is_private,
        recipient=ContactRef(
            external_id=contact.external_id,
            handle=contact.handle,
            display_name=contact.display_name,
            profile_url=contact.profile_url,
            email=contact.email,
        ),
        subject=conversation.subject,
        in_reply_to=answered or "",
        private_reply=message.to_private,
        template=message.template or None,
        attachments=tuple(
            OutboundAttachment(
                type="image", url=public_url(a["stored"]), storage_name=a["stored"], mime_type=a.get("mime_type", "")
            )
            for a in message.attachments or []
            if isinstance(a, dict) and a.get("stored")
        ),
    )


def _record_sent(message: Message, external_id: str) -> SendOutcome:
    now = timezone.now()
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            delivery_status=Message.DeliveryStatus.SENT, external_id=external_id, sent_at=now, delivery_error=""
        )
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("sla_policy__calendar")
            .get(pk=message.conversation_id)
        )
        waited_since = conversation.waiting_since
        conversation.first_response_at = conversation.first_response_at or now
        conversation.last_outbound_at = now
        # Answered, unless the customer wrote again after this reply was written.
        if conversation.last_inbound_at is None or conversation.last_inbound_at <= message.created_at:
            conversation.waiting_since = None
            if conversation.status != Conversation.Status.RESOLVED:
                conversation.status = Conversation.Status.WAITING
        # A hand-given assignment holds until its assignee answers.
        if conversation.assignment_held and message.sender_id == conversation.assignee_id:
            conversation.assignment_held = False
        conversation.save(
            update_fields=[
                "first_response_at",
                "last_outbound_at",
                "waiting_since",
                "status",
                "assignment_held",
                "updated_at",
            ]
        )
        lifecycle.run(lifecycle.Step.REPLIED, conversation=conversation, waited_since=waited_since, at=now)
        events.reply_sent(message=message)
    message.refresh_from_db()
    return SendOutcome(message)


def _record_failure(message: Message, error: str, *, permanent: bool, retry_after: float | None = None) -> SendOutcome:
    exhausted = message.attempts >= settings.MOSTRADOR_REPLY_MAX_ATTEMPTS
    retry_in = None
    if permanent or exhausted:
        status = Message.DeliveryStatus.FAILED
    else:
        status = Message.DeliveryStatus.QUEUED
        retry_in = max(retry_after or 0, 5 * 2 ** (message.attempts - 1))
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            delivery_status=status,
            delivery_error=error[:2000],
            next_attempt_at=timezone.now() + timedelta(seconds=retry_in or 0),
        )
        if status == Message.DeliveryStatus.FAILED:
            events.reply_failed(message=message, error=error)
    message.refresh_from_db()
    return SendOutcome(message, retry_in=retry_in)
