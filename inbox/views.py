"""Pages of the inbox. Thin: read through selectors, write through services."""

import mimetypes
from typing import cast

from django import forms
from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr, truncatechars
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels.connectors.registry import connector_class, connector_for
from core import presence, roles
from core.pages import role_required
from inbox import people, selectors
from inbox.forms import AssignForm, BulkForm, HideForm, NoteForm, ReclassifyForm, ReplyForm
from inbox.models import Contact, Conversation, ConversationEvent, Message, Person, PersonChange
from inbox.rows import conversation_rows_html
from inbox.services import conversations as conversation_services
from inbox.services import media, moderation, persons, saved_views
from inbox.services import replies as reply_services


@role_required(roles.can_view_inbox)
def inbox_list(request):
    filters = selectors.InboxFilters.from_params(request.GET)
    page = selectors.conversation_page(
        user=request.user,
        filters=filters,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        columns=selectors.ROW_COLUMNS,
    )
    counts = selectors.conversation_counts(user=request.user, filters=filters)
    tabs = [("", _("Active"), counts.active)]
    tabs += [(value, label, counts.by_status[value]) for value, label in Conversation.Status.choices]
    choices = selectors.inbox_choices()
    context = {
        "filters": filters,
        "page": page,
        "rows_html": conversation_rows_html(page.items, can_reply=roles.can_reply(request.user)),
        "counts": counts,
        "tabs": [
            {"status": value, "label": label, "count": count, "query": filters.query(status=value)}
            for value, label, count in tabs
        ],
        "query": filters.query(),
        "filters_without_extra": filters.query(team=None, unanswered=False),
        "saved_views": selectors.saved_views_for(user=request.user),
        "scopes": counts.scopes,
        # The filters' and the bulk bar's choices, as <option>s.
        "channel_options": _options(choices["channels"], filters.channel),
        "assignee_options": _options(choices["assignees"], filters.assignee),
        "category_options": _options(choices["categories"], filters.category),
        "priority_options": _options(
            ((v, capfirst(label)) for v, label in Conversation.Priority.choices), filters.priority
        ),
        "sort_options": _options(
            [("oldest", _("Oldest waiting")), ("newest", _("Newest")), ("deadline", _("Nearest deadline"))],
            filters.sort,
        ),
        "sla_options": _options([("at_risk", _("At risk")), ("overdue", _("Overdue"))], filters.sla_state),
        "bulk_assignee_options": _options(choices["assignees"], None),
        "bulk_category_options": _options(choices["categories"], None),
    }
    template = "inbox/_list_results.html" if request.htmx and request.htmx.target == "results" else "inbox/list.html"
    return render(request, template, context)


def _options(pairs, selected) -> SafeString:
    """The ``<option>``s of a filter, ``selected`` marked: one ``format_html_join``
    instead of a template loop (the filter and bulk bars hold about 80)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in pairs),
    )


@role_required(roles.can_view_inbox)
def conversation_detail(request, pk: int):
    conversation = _get_conversation(pk)
    return render(request, "inbox/detail.html", _detail_context(request, conversation))


@role_required(roles.can_view_inbox)
def message_status(request, pk: int):
    """One outbound message's bubble, polled by the page while it is being sent."""
    message = selectors.message_shown(pk=pk, direction=Message.Direction.OUT)
    if message is None:
        raise Http404
    return render(request, "inbox/_message.html", {"message": _message_texts([message])[0]})


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
@role_required(roles.can_view_inbox)
def saved_view(request):
    """Save the list's current filters under a name (``action=save``: ``name``,
    ``query``, ``shared``), or delete one's own view (``action=delete``: ``id``)."""
    try:
        if request.POST.get("action") == "delete":
            try:
                pk = int(request.POST.get("id", ""))
            except ValueError:
                pk = 0
            saved_views.saved_view_delete(owner=request.user, pk=pk)
            flash.success(request, _("View deleted."))
            return redirect("inbox:list")
        view = saved_views.saved_view_save(
            owner=request.user,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
            shared=request.POST.get("shared") == "1",
        )
    except saved_views.SavedViewRefused as refused:
        flash.error(request, str(refused))
        return redirect(reverse("inbox:list") + (f"?{request.POST.get('query')}" if request.POST.get("query") else ""))
    flash.success(request, _("View saved."))
    return redirect(reverse("inbox:list") + (f"?{view.query}" if view.query else ""))


@require_POST
@role_required(roles.can_reply)
def reclassify(request, pk: int):
    """Category, priority and tags, from the conversation page (gestores and above)."""
    conversation = _get_conversation(pk)
    form = ReclassifyForm(request.POST)
    if form.is_valid():
        conversation_services.conversation_reclassify(
            conversation=conversation,
            by=request.user,
            category=form.cleaned_data["category"],
            priority=form.cleaned_data["priority"],
            tags=form.cleaned_data["tags"],
        )
        flash.success(request, _("Classification saved; the deadlines follow it."))
    else:
        flash.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("inbox:detail", pk=pk)


@require_POST
@role_required(roles.can_reply)
def bulk(request):
    """One action on the conversations ticked in the list, each through its service
    (so each writes its event): assign (supervisors and the CM), resolve, set the
    category, add tags (gestores on their own conversations; supervisors on any)."""
    form = BulkForm(request.POST)
    back = reverse("inbox:list") + (f"?{request.POST['next']}" if request.POST.get("next") else "")
    if not form.is_valid():
        flash.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    data = form.cleaned_data
    action = data["action"]
    if action == "assign" and not roles.can_assign(request.user):
        raise PermissionDenied
    conversations = Conversation.objects.filter(pk__in=data["ids"]).order_by("pk")
    if not roles.can_assign(request.user):
        conversations = conversations.filter(assignee=request.user)
    done, refused = 0, []
    for conversation in conversations:
        try:
            if action == "assign":
                conversation_services.conversation_assign(
                    conversation=conversation, assignee=data["assignee"], by=request.user
                )
            elif action == "resolve":
                conversation_services.conversation_resolve(conversation=conversation, by=request.user)
            elif action == "category":
                conversation_services.conversation_reclassify(
                    conversation=conversation, by=request.user, category=data["category"]
                )
            else:
                conversation_services.conversation_reclassify(
                    conversation=conversation, by=request.user, add_tags=data["tags"]
                )
            done += 1
        except conversation_services.ConversationActionRefused as exc:
            refused.append(f"#{conversation.pk}: {exc}")
    skipped = len(data["ids"]) - done - len(refused)
    flash.success(request, _("%(count)s conversations changed.") % {"count": done})
    if skipped:
        flash.warning(request, _("%(count)s skipped: not yours, or not found.") % {"count": skipped})
    for reason in refused:
        flash.error(request, reason)
    return redirect(back)


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
    thread = _message_texts(selectors.conversation_thread_shown(conversation=conversation))
    timeline = selectors.conversation_history_shown(conversation=conversation)
    user_ids = {e["data"].get("assignee_id") for e in timeline if e["data"].get("assignee_id")}
    users = get_user_model().objects.filter(pk__in=user_ids) if user_ids else ()
    names = {u.pk: u.get_full_name() or u.username for u in users}
    return {
        "conversation": conversation,
        "deadline_name": _deadline_name(conversation),
        "thread": thread,
        # The composer says which message its writer saw last (a reply since is a conflict).
        "newest_message_id": max((m["pk"] for m in thread), default=0),
        "reply_conflict": reply_conflict,
        # A live refresh (htmx) only reads: the page's own presence poll says whether its reader is writing.
        "presence": _presence(request, conversation.pk, touch=not request.htmx),
        "timeline": _history_texts(timeline, names),
        "reply_form": reply_form or ReplyForm(),
        "note_form": NoteForm(),
        "assign_select": _assign_select(request, conversation),
        "reclassify_fields": _reclassify_fields(conversation) if roles.can_reply(request.user) else None,
        "max_reply_length": _max_reply_length(conversation),
        "reply_window_left": _window_label(window_left),
        **_templates_context(conversation, window_left, template_error),
        "other_conversations": _other_texts(selectors.conversations_of_same_person(conversation=conversation)),
        "can_reply_privately": _can_reply_privately(conversation),
        "replies_by_email": connector_class(conversation.channel.kind).replies_by_email,
        "can_hide": roles.can_hide(request.user) and _can_hide(conversation),
        "can_attach_image": connector_for(conversation.channel).reply_image_allowed(private=conversation.is_private),
    }


def _url_maker(name: str):
    """``pk -> url`` for one route with one integer argument: reversed once, then filled in
    (``reverse`` per message was a good part of the thread's rendering)."""
    head, _sep, tail = reverse(name, args=[987654321]).partition("987654321")
    return lambda pk: f"{head}{pk}{tail}"


def _delivery_label(network: str, delivery: str) -> str:
    if network == Message.NetworkStatus.READ:
        return "✓✓ " + _("Read")
    if network == Message.NetworkStatus.DELIVERED:
        return "✓✓ " + _("Delivered")
    if network == Message.NetworkStatus.FAILED:
        return "✕ " + _("Not delivered")
    if delivery == Message.DeliveryStatus.SENT:
        return "✓ " + _("Sent")
    if delivery == Message.DeliveryStatus.FAILED:
        return "✕ " + _("Failed")
    if delivery == Message.DeliveryStatus.SENDING:
        return _("Sending…")
    return _("Queued")


def _month_abbr(month: int, months: dict[int, str]) -> str:
    """The date filter's ``M`` ("Nov"); ``months``: those met so far, to translate each once."""
    if month not in months:
        months[month] = str(MONTHS_3[month]).title()
    return months[month]


def _short_when(local, months: dict[int, str]) -> str:
    """``local|date:"j M, H:i"`` (a local time), without the filter's machinery."""
    return f"{local.day} {_month_abbr(local.month, months)}, {local:%H:%M}"


def _message_texts(messages: list[dict]) -> list[dict]:
    """Give each message of a thread (``selectors.THREAD_SHOWN``) the texts and links
    ``inbox/_message.html`` shows, in Python: the same words its filters, translation
    blocks and url tags would build, at a fraction of the cost."""
    hide_url, retry_url, status_url = (_url_maker(f"inbox:{n}") for n in ("hide", "retry", "message"))
    pending = (Message.DeliveryStatus.QUEUED, Message.DeliveryStatus.SENDING)
    tz = timezone.get_current_timezone()  # what the template's filters convert to
    months: dict[int, str] = {}
    delivery_labels: dict[tuple[str, str], str] = {}
    mostrador = contact_word = None
    for m in messages:
        pk = m["pk"] = m["id"]
        created = m["created_at"].astimezone(tz)
        m["created_iso"] = created.isoformat()
        m["created_label"] = _short_when(created, months)
        if m["direction"] == Message.Direction.IN:
            if m["author_contact_id"] is not None:  # as Contact.__str__
                m["author_label"] = (
                    m["author_contact__display_name"] or m["author_contact__handle"] or m["author_contact__external_id"]
                )
            else:
                m["author_label"] = contact_word = contact_word or _("Contact")
            m["hide_url"] = hide_url(pk)
        elif m["sender_id"] is not None:  # as the ``person`` filter
            full_name = f"{m['sender__first_name']} {m['sender__last_name']}".strip()
            m["author_label"] = full_name or m["sender__username"]
        else:
            m["author_label"] = mostrador = mostrador or _("Mostrador")
        m["body_html"] = linebreaksbr(m["body"], autoescape=True) if m["body"] else ""
        m["status_url"] = status_url(pk) if m["delivery_status"] in pending else ""
        if m["direction"] == Message.Direction.OUT:
            template = m["template"]
            name = template.get("name", "") if isinstance(template, dict) else ""
            m["template_label"] = _("Template %(name)s") % {"name": name} if template else ""
            statuses = (m["network_status"], m["delivery_status"])
            if statuses not in delivery_labels:
                delivery_labels[statuses] = _delivery_label(*statuses)
            m["delivery_class"] = m["network_status"] or m["delivery_status"]
            m["delivery_label"] = delivery_labels[statuses]
            status_at = m["network_status_at"]
            m["network_title"] = _short_when(status_at.astimezone(tz), months) if status_at else ""
            m["retry_url"] = retry_url(pk)
    return messages


def _other_texts(conversations) -> list[tuple[str, str, str]]:
    """``(link, title, facts)`` of each of the person's other conversations, as the page's
    template wrote them: the subject (else the snippet, else the contact) cut at 60
    characters; the channel, the status and the day of the last message."""
    detail_url = _url_maker("inbox:detail")
    tz = timezone.get_current_timezone()
    months: dict[int, str] = {}
    texts = []
    for other in conversations:
        title = truncatechars(other.subject or other.snippet or str(other.contact), 60)
        facts = f"{other.channel.name} · {other.get_status_display()}"
        if other.last_inbound_at:
            last = other.last_inbound_at.astimezone(tz)
            facts += f" · {last.day} {_month_abbr(last.month, months)} {last.year}"  # date:"j M Y"
        texts.append((detail_url(other.pk), title, facts))
    return texts


def _history_texts(events: list[dict], names: dict[int, str]) -> list[tuple[str, str, str]]:
    """``(what, who, when)`` of each event of the page's history, as its template wrote them:
    the kind (→ the assignee), the actor, how long ago."""
    kinds = dict(ConversationEvent.Kind.choices)
    texts = []
    for e in events:
        what = capfirst(str(kinds.get(e["kind"], e["kind"])))
        assignee = names.get(e["data"].get("assignee_id"))
        if assignee:
            what = f"{what} → {assignee}"
        who = ""
        if e["actor_id"] is not None:  # as the ``person`` filter
            who = f"{e['actor__first_name']} {e['actor__last_name']}".strip() or e["actor__username"]
        texts.append((what, who, naturaltime(e["created_at"])))
    return texts


def _deadline_name(conversation) -> str:
    """Which clock ``sla_due_at`` is: the first response, the next response or the resolution."""
    due = conversation.sla_due_at
    if due is not None and due == conversation.first_response_due_at:
        return _("First response deadline")
    if due is not None and due == conversation.next_response_due_at:
        return _("Next response deadline")
    if due is not None and due == conversation.resolution_due_at:
        return _("Resolution deadline")
    return _("Reply deadline")


def _select_html(name: str, options, selected, empty_label=None) -> str:
    """A ``<select>`` written as Django's own widget writes it (``AssignForm``,
    ``ReclassifyForm``), without its templates: they cost a millisecond per field."""
    chosen = "" if selected is None else str(selected)
    if empty_label is not None:
        options = [("", empty_label), *options]
    parts = [f'<select name="{name}" id="id_{name}">']
    for value, label in options:
        mark = " selected" if str(value) == chosen else ""
        parts.append(f'\n  <option value="{escape(value)}"{mark}>{escape(label)}</option>\n')
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 (every value and label is escaped above)


def _assign_select(request, conversation) -> str | None:
    """The assignee picker (supervisors only); names alone: ``assignee_picker`` adds,
    once the page shows, who is on shift and their load."""
    if not roles.can_assign(request.user):
        return None
    return _select_html(
        "assignee",
        selectors.inbox_choices()["assignees"],
        conversation.assignee_id,
        cast(forms.ModelChoiceField, AssignForm.base_fields["assignee"]).empty_label,
    )


def _reclassify_fields(conversation) -> dict:
    """The fields of ``ReclassifyForm`` filled with the conversation's classification."""
    fields = ReclassifyForm.base_fields
    categories = selectors.inbox_choices()["categories"]
    tags = ", ".join(conversation.tags)
    value = f' value="{escape(tags)}"' if tags else ""
    return {
        "category": _select_html(
            "category",
            categories,
            conversation.category.slug if conversation.category else None,
            cast(forms.ModelChoiceField, fields["category"]).empty_label,
        ),
        "priority": _select_html("priority", Conversation.Priority.choices, conversation.priority),
        "tags": mark_safe(  # noqa: S308 (escaped)
            f'<input type="text" name="tags"{value} maxlength="{cast(forms.CharField, fields["tags"]).max_length}"'
            ' aria-describedby="id_tags_helptext" id="id_tags">'
        ),
    }


@role_required(roles.can_assign)
def assignee_picker(request, pk: int):
    """The assignee picker with each person's shift and open load, swapped into the
    conversation page when it shows (the page itself stays a fixed few queries)."""
    conversation = get_object_or_404(Conversation.objects.only("pk", "assignee_id"), pk=pk)
    users = conversation_services.assignable_users().values_list("pk", flat=True)
    staffing = people.staffing(user_ids=list(users), now=timezone.now())
    form = AssignForm(initial={"assignee": conversation.assignee_id}, staffing=staffing)
    return render(request, "inbox/_assignee_picker.html", {"assign_form": form})


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
    """Public comments on networks that allow a private answer (Meta)."""
    return not conversation.is_private and connector_class(conversation.channel.kind).supports_private_reply


def _can_hide(conversation) -> bool:
    """Public items on networks that allow hiding them (Meta, YouTube)."""
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


# People: one profile gathering a person's identities on every channel.


@role_required(roles.can_view_inbox)
def person_detail(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    if person.merged_into_id:
        return redirect("inbox:person", pk=persons.live_person(person).pk)
    q = request.GET.get("q", "")
    return render(
        request,
        "inbox/person.html",
        {
            "person": person,
            "identities": person.contacts.select_related("channel").order_by("channel__name", "pk")[:100],
            "conversations": persons.person_conversations(person=person),
            "notes": person.notes.select_related("author")[:50],
            "changes": PersonChange.objects.filter(Q(person=person) | Q(other=person)).select_related(
                "by", "contact", "person", "other"
            )[:20],
            "q": q,
            "candidates": selectors.persons_search(q=q, exclude=person.pk) if q else [],
        },
    )


@role_required(roles.can_view_inbox)
def contact_person(request, pk: int):
    """The profile of a contact's person (made now for a contact stored before people existed)."""
    contact = get_object_or_404(Contact, pk=pk)
    return redirect("inbox:person", pk=persons.contact_person_ensure(contact=contact).pk)


def _posted(model, value):
    """The row a form names by id, or None when it names none or a missing one."""
    return model.objects.filter(pk=int(value)).first() if value and str(value).isdigit() else None


@require_POST
@role_required(roles.can_reply)
def person_merge(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    other = _posted(Person, request.POST.get("other"))
    if other is None:
        flash.error(request, _("Choose the person to merge into this profile."))
        return redirect("inbox:person", pk=pk)
    try:
        persons.person_merge(person=person, other=other, by=request.user, reason=request.POST.get("reason", ""))
    except persons.PersonRefused as refused:
        flash.error(request, str(refused))
    else:
        flash.success(request, _("Merged: every identity and note is now on this profile."))
    return redirect("inbox:person", pk=pk)


@require_POST
@role_required(roles.can_reply)
def person_split(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    contact = _posted(Contact, request.POST.get("contact"))
    if contact is None:
        flash.error(request, _("Choose the identity to split off."))
        return redirect("inbox:person", pk=pk)
    try:
        new = persons.person_split(
            person=person, contact=contact, by=request.user, reason=request.POST.get("reason", "")
        )
    except persons.PersonRefused as refused:
        flash.error(request, str(refused))
        return redirect("inbox:person", pk=pk)
    flash.success(request, _("Split: %(identity)s has a profile of its own.") % {"identity": contact})
    return redirect("inbox:person", pk=new.pk)


@require_POST
@role_required(roles.can_reply)
def person_note(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    try:
        persons.person_note_add(person=person, author=request.user, body=request.POST.get("body", ""))
    except persons.PersonRefused as refused:
        flash.error(request, str(refused))
    return redirect(reverse("inbox:person", args=[pk]) + "#notes")
