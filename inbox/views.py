"""Pages of the inbox. Thin: read through selectors, write through services."""

import mimetypes

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.formats import localize
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels.connectors.registry import connector_class, connector_for
from channels.models import Channel
from core import presence, roles
from core.pages import role_required
from inbox import selectors
from inbox.forms import AssignForm, HideForm, NoteForm, ReplyForm
from inbox.models import Conversation, Message
from inbox.services import conversations as conversation_services
from inbox.services import media, moderation
from inbox.services import replies as reply_services


@role_required(roles.can_view_inbox)
def inbox_list(request):
    filters = selectors.InboxFilters.from_params(request.GET)
    page = selectors.conversation_page(
        user=request.user, filters=filters, after=request.GET.get("after"), before=request.GET.get("before")
    )
    counts = selectors.conversation_counts(user=request.user, filters=filters)
    _time_labels(page.items)
    tabs = [("", _("Active"), counts.active)]
    tabs += [(value, label, counts.by_status[value]) for value, label in Conversation.Status.choices]
    context = {
        "filters": filters,
        "page": page,
        "counts": counts,
        "tabs": [
            {"status": value, "label": label, "count": count, "query": filters.query(status=value)}
            for value, label, count in tabs
        ],
        "query": filters.query(),
        "scopes": counts.scopes,
        "channels": Channel.objects.only("pk", "name"),
    }
    template = "inbox/_list_results.html" if request.htmx and request.htmx.target == "results" else "inbox/list.html"
    return render(request, template, context)


def _time_labels(conversations) -> None:
    """Give each row of the list the texts of its deadline and waiting time, in
    Python: the same words ``inbox/_sla.html`` and the row would build with filters
    and translation blocks, at a fraction of the cost (they were a third of the
    list's rendering)."""
    for c in conversations:
        c.sla_label = c.waiting_label = c.activity_label = ""
        if c.sla_due_at and c.sla_state != Conversation.SlaState.NONE:
            when = naturaltime(c.sla_due_at)
            overdue = c.sla_state == Conversation.SlaState.BREACHED
            c.sla_label = (_("overdue since %(when)s") if overdue else _("due %(when)s")) % {"when": when}
            c.sla_title = f"{_('Reply deadline')}: {date_filter(c.sla_due_at, 'j M Y, H:i')}"
            c.sla_due_iso = date_filter(c.sla_due_at, "c")
        if c.waiting_since:
            c.waiting_label = _("waiting %(since)s") % {"since": naturaltime(c.waiting_since)}
            c.waiting_title = localize(template_localtime(c.waiting_since))
        elif c.last_inbound_at:
            c.activity_label = naturaltime(c.last_inbound_at)


@role_required(roles.can_view_inbox)
def conversation_detail(request, pk: int):
    conversation = _get_conversation(pk)
    return render(request, "inbox/detail.html", _detail_context(request, conversation))


@role_required(roles.can_view_inbox)
def message_status(request, pk: int):
    """One outbound message's bubble, polled by the page while it is being sent."""
    message = get_object_or_404(Message.objects.select_related("sender"), pk=pk, direction=Message.Direction.OUT)
    return render(request, "inbox/_message.html", {"message": message})


@require_POST
@role_required(roles.can_reply)
def reply(request, pk: int):
    conversation = _get_conversation(pk)
    if request.POST.get("template"):
        return _template_reply(request, conversation)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            media.reply_with_image_create(
                conversation=conversation,
                sender=request.user,
                body=form.cleaned_data["body"],
                private=form.cleaned_data["private"],
                image=form.cleaned_data.get("image"),
                after=form.cleaned_data.get("after"),
                force=form.cleaned_data["force"],
            )
        except reply_services.ReplyRefused as refused:
            form.add_error("body", str(refused))
        except reply_services.ReplyConflict as conflict:
            # Nothing sent: show what was said, keep the text, ask before sending anyway.
            context = _detail_context(request, conversation, reply_form=form, reply_conflict=conflict)
            return render(request, "inbox/detail.html", context, status=409)
    if form.errors:
        context = _detail_context(request, conversation, reply_form=form)
        return render(request, "inbox/detail.html", context, status=422)
    return redirect(reverse("inbox:detail", args=[pk]) + "#composer")


def _template_reply(request, conversation):
    """An approved template (outside WhatsApp's window): ``template`` is "name|language",
    each variable comes as ``var-<name>``."""
    name, _sep, language = request.POST["template"].partition("|")
    values = {key.removeprefix("var-"): value for key, value in request.POST.items() if key.startswith("var-")}
    try:
        reply_services.template_reply_create(
            conversation=conversation, sender=request.user, name=name, language=language, values=values
        )
    except reply_services.ReplyRefused as refused:
        context = _detail_context(request, conversation, template_error=(request.POST["template"], str(refused)))
        return render(request, "inbox/detail.html", context, status=422)
    return redirect(reverse("inbox:detail", args=[conversation.pk]) + "#composer")


@require_POST
@role_required(roles.can_reply)
def retry(request, pk: int):
    message = get_object_or_404(Message.objects.select_related("conversation"), pk=pk)
    try:
        reply_services.reply_retry(message=message, by=request.user)
    except reply_services.ReplyRefused as refused:
        flash.error(request, str(refused))
    return redirect("inbox:detail", pk=message.conversation_id)


@require_POST
@role_required(roles.can_reply)
def add_note(request, pk: int):
    conversation = _get_conversation(pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            conversation_services.note_add(
                conversation=conversation, author=request.user, body=form.cleaned_data["body"]
            )
        except conversation_services.ConversationActionRefused as refused:
            flash.error(request, str(refused))
    else:
        flash.error(request, str(form.errors["body"][0]))
    return redirect("inbox:detail", pk=pk)


@require_POST
@role_required(roles.can_assign)
def assign(request, pk: int):
    conversation = _get_conversation(pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            conversation_services.conversation_assign(
                conversation=conversation, assignee=form.cleaned_data["assignee"], by=request.user
            )
        except conversation_services.ConversationActionRefused as refused:
            flash.error(request, str(refused))
    return redirect("inbox:detail", pk=pk)


@require_POST
@role_required(roles.can_reply)
def resolve(request, pk: int):
    return _status_action(request, pk, conversation_services.conversation_resolve)


@require_POST
@role_required(roles.can_reply)
def reopen(request, pk: int):
    return _status_action(request, pk, conversation_services.conversation_reopen)


def _status_action(request, pk, action):
    conversation = _get_conversation(pk)
    try:
        action(conversation=conversation, by=request.user)
    except conversation_services.ConversationActionRefused as refused:
        flash.error(request, str(refused))
    return redirect("inbox:detail", pk=pk)


def _get_conversation(pk: int) -> Conversation:
    try:
        return selectors.conversation_detail(pk=pk)
    except Conversation.DoesNotExist as exc:
        raise Http404 from exc


def _detail_context(request, conversation, reply_form=None, template_error=None, reply_conflict=None) -> dict:
    window_left = reply_services.reply_window_left(conversation)
    thread = list(selectors.conversation_thread(conversation=conversation))
    timeline = conversation.events.select_related("actor").order_by("-created_at", "-id")[:30]
    user_ids = {e.data.get("assignee_id") for e in timeline if e.data.get("assignee_id")}
    names = {u.pk: u.get_full_name() or u.username for u in get_user_model().objects.filter(pk__in=user_ids)}
    return {
        "conversation": conversation,
        "thread": thread,
        # The composer says which message its writer saw last (a reply since is a conflict).
        "newest_message_id": max((m.pk for m in thread), default=0),
        "reply_conflict": reply_conflict,
        # A live refresh (htmx) only reads: the page's own presence poll says whether its reader is writing.
        "presence": _presence(request, conversation.pk, touch=not request.htmx),
        "timeline": [(event, names.get(event.data.get("assignee_id"))) for event in timeline],
        "reply_form": reply_form or ReplyForm(),
        "note_form": NoteForm(),
        "assign_form": AssignForm(initial={"assignee": conversation.assignee_id}),
        "max_reply_length": _max_reply_length(conversation),
        "reply_window_left": _window_label(window_left),
        **_templates_context(conversation, window_left, template_error),
        "other_conversations": selectors.conversations_of_same_person(conversation=conversation),
        "can_reply_privately": _can_reply_privately(conversation),
        "replies_by_email": connector_class(conversation.channel.kind).replies_by_email,
        "can_hide": roles.can_hide(request.user) and _can_reply_privately(conversation),
        "can_attach_image": connector_for(conversation.channel).reply_image_allowed(private=conversation.is_private),
    }


def _presence(request, conversation_id: int, state: str = "viewing", touch: bool = True) -> list[tuple]:
    """Say the reader is here (unless not ``touch``); return who else is, with what they are doing (writers first)."""
    place = f"conversation:{conversation_id}"
    if touch:
        presence.presence_touch(place=place, user_id=request.user.pk, state=state)
    others = [p for p in presence.presence_here(place=place) if p.user_id != request.user.pk]
    users = get_user_model().objects.in_bulk([p.user_id for p in others])
    return [(users[p.user_id], p.state) for p in others if p.user_id in users]


@role_required(roles.can_view_inbox)
def conversation_presence(request, pk: int):
    """Who else is on this conversation now; the page asks every few seconds
    (``?state=writing`` while its reply box is being typed in)."""
    if not Conversation.objects.filter(pk=pk).exists():
        raise Http404
    state = request.GET.get("state", "viewing")
    others = _presence(request, pk, state if state in presence.STATES else "viewing")
    return render(request, "inbox/_presence.html", {"presence": others, "conversation_id": pk})


def _templates_context(conversation, window_left, template_error) -> dict:
    """Outside the messaging window, the approved templates with their variables
    filled from the conversation (WhatsApp); nothing for other networks."""
    if window_left is None or window_left.total_seconds() > 0:
        return {}
    templates, error = reply_services.reply_templates_for(conversation=conversation)
    if templates is None:
        return {}
    chosen, refusal = template_error or ("", "")
    return {
        "reply_templates": [
            {
                "template": template,
                "value": f"{template.name}|{template.language}",
                "variables": reply_services.template_defaults(conversation=conversation, template=template).items(),
                "error": refusal if chosen == f"{template.name}|{template.language}" else "",
            }
            for template in templates
        ],
        "reply_templates_error": error,
    }


def _window_label(left) -> str | None:
    """ "5 h 12 min" left of a messaging window, "" when closed, None when the network has none."""
    if left is None:
        return None
    if left.total_seconds() <= 0:
        return ""
    minutes = int(left.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _can_reply_privately(conversation) -> bool:
    """Public comments on networks that allow a private answer and hiding (Meta)."""
    return not conversation.is_private and connector_class(conversation.channel.kind).supports_hiding


def _max_reply_length(conversation) -> int | None:
    return connector_class(conversation.channel.kind).max_reply_length


@require_POST
@role_required(roles.can_hide)
def hide(request, pk: int):
    message = get_object_or_404(Message.objects.select_related("conversation", "channel"), pk=pk)
    form = HideForm(request.POST)
    if form.is_valid():
        try:
            moderation.message_hide(
                message=message, by=request.user, reason=form.cleaned_data["reason"], hidden=form.cleaned_data["hidden"]
            )
        except moderation.HideRefused as refused:
            flash.error(request, str(refused))
        else:
            flash.success(
                request,
                _("Hidden on the network; it stays here.")
                if form.cleaned_data["hidden"]
                else _("Shown again on the network."),
            )
    return redirect(reverse("inbox:detail", args=[message.conversation_id]) + f"#message-{message.pk}")


def media_file(request, path: str):
    """A stored file (a copy of a network picture, a reply's image): for people
    with a role, or for whoever holds a signed link (the network fetching a
    reply's image). Customers' pictures are never public."""
    from django.core.exceptions import SuspiciousFileOperation
    from django.core.files.storage import default_storage
    from django.http import FileResponse

    from inbox.services.media import media_signature_valid

    if not (roles.can_view_inbox(request.user) or media_signature_valid(path, request.GET.get("s", ""))):
        raise PermissionDenied
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, SuspiciousFileOperation) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=mimetypes.guess_type(path)[0] or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
