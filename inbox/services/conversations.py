"""Changes to a conversation made by people: assign, resolve, reopen, notes."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles
from inbox import events, lifecycle
from inbox.models import Conversation, Message


class ConversationActionRefused(Exception):
    """The action does not apply; the message says why."""


def conversation_assign(*, conversation: Conversation, assignee, by) -> Conversation:
    """Give ``conversation`` to ``assignee`` (None unassigns); records who and why.

    The assignment is held: the shift handover leaves it with ``assignee`` until
    they answer it or someone reassigns it."""
    if assignee is not None and not roles.can_reply(assignee):
        raise ConversationActionRefused(_("%(user)s cannot attend conversations.") % {"user": assignee})
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        previous = locked.assignee_id
        held = assignee is not None
        if previous == (assignee.pk if assignee else None) and locked.assignment_held == held:
            return locked
        locked.assignment_held = held
        if previous == (assignee.pk if assignee else None):
            locked.save(update_fields=["assignment_held", "updated_at"])
            return locked
        locked.assignee = assignee
        if locked.status == Conversation.Status.NEW and assignee is not None:
            locked.status = Conversation.Status.OPEN
        locked.save(update_fields=["assignee", "assignment_held", "status", "updated_at"])
        assignee_id = assignee.pk if assignee else None
        events.assigned(
            conversation=locked, assignee_id=assignee_id, previous_assignee_id=previous, reason="manual", by=by
        )
        lifecycle.run(
            lifecycle.Step.ASSIGNED,
            conversation=locked,
            assignee_id=assignee_id,
            previous_assignee_id=previous,
            reason="manual",
            by=by,
        )
    return locked


def conversation_resolve(*, conversation: Conversation, by) -> Conversation:
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if locked.status == Conversation.Status.RESOLVED:
            raise ConversationActionRefused(_("The conversation is already resolved."))
        locked.status = Conversation.Status.RESOLVED
        locked.save(update_fields=["status", "updated_at"])
        lifecycle.run(lifecycle.Step.RESOLVED, conversation=locked, at=timezone.now(), by=by)
        events.resolved(conversation=locked, by=by)
    return locked


def conversation_reopen(*, conversation: Conversation, by) -> Conversation:
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if locked.status != Conversation.Status.RESOLVED:
            raise ConversationActionRefused(_("Only a resolved conversation can be reopened."))
        locked.status = Conversation.Status.OPEN
        locked.save(update_fields=["status", "updated_at"])
        lifecycle.run(lifecycle.Step.REOPENED, conversation=locked, by=by)
        events.reopened(conversation=locked, by=by)
    return locked


def note_add(*, conversation: Conversation, author, body: str) -> Message:
    """Add an internal note, seen by the team and never by the contact."""
    body = body.strip()
    if not body:
        raise ConversationActionRefused(_("Write the note first."))
    with transaction.atomic():
        note = Message.objects.create(
            conversation=conversation,
            channel_id=conversation.channel_id,
            direction=Message.Direction.NOTE,
            sender=author,
            body=body,
            created_at=timezone.now(),
        )
        events.note_added(note=note)
    return note


def assignable_users():
    """People who can be given conversations: everyone with a replying role."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[str(r) for r in roles.REPLIERS])
        .distinct()
        .order_by("username")
    )
