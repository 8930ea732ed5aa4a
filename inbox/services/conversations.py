"""Changes to a conversation made by people: assign, resolve, reopen, notes."""

from __future__ import annotations

from typing import Any

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


UNCHANGED: Any = object()


def conversation_reclassify(
    *,
    conversation: Conversation,
    by,
    category: Any = UNCHANGED,
    priority: int | None = None,
    tags: list[str] | None = None,
    add_tags: list[str] | None = None,
) -> Conversation:
    """Change the category (a ``protocols.Category`` or None), the priority or the
    tags (``tags`` replaces them, ``add_tags`` adds to them) of ``conversation``.
    What changed is one ``reclassified`` event; the protocol recomputes the
    deadlines (lifecycle step ``RECLASSIFIED``). Nothing changed, nothing written.
    Raises ``ConversationActionRefused`` for an unknown priority."""
    if priority is not None and priority not in Conversation.Priority.values:
        raise ConversationActionRefused(_("Unknown priority."))
    with transaction.atomic():
        locked = (
            Conversation.objects.select_for_update(of=("self",)).select_related("sla_policy").get(pk=conversation.pk)
        )
        changes: dict[str, Any] = {}
        fields: list[str] = []
        new_category_id = category.pk if category is not None and category is not UNCHANGED else None
        if category is not UNCHANGED and new_category_id != locked.category_id:
            changes.update(category_id=new_category_id, previous_category_id=locked.category_id)
            locked.category_id = new_category_id
            fields.append("category")
        if priority is not None and priority != locked.priority:
            changes.update(priority=priority, previous_priority=locked.priority)
            locked.priority = priority
            fields.append("priority")
        new_tags = list(locked.tags if tags is None else _clean_tags(tags))
        for tag in _clean_tags(add_tags or []):
            if tag not in new_tags:
                new_tags.append(tag)
        if new_tags != list(locked.tags):
            changes.update(tags=new_tags, previous_tags=list(locked.tags))
            locked.tags = new_tags
            fields.append("tags")
        if not fields:
            return locked
        locked.save(update_fields=[*fields, "updated_at"])
        events.reclassified(conversation=locked, by=by, changes=changes)
        lifecycle.run(lifecycle.Step.RECLASSIFIED, conversation=locked, fields=fields, by=by)
    return locked


def _clean_tags(tags) -> list[str]:
    out: list[str] = []
    for tag in tags:
        tag = str(tag).replace("\x00", "").strip()[:50]
        if tag and tag not in out:
            out.append(tag)
    return out


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
