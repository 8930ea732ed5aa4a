"""Listening pages: the stream with counts and share of voice for everyone; the CM edits watches."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.pages import role_required
from listening import selectors
from listening.forms import WatchForm
from listening.models import Result, Watch
from listening.services import SendRefused, result_send_to_inbox
from protocols.pages import protocol_edit


@role_required(roles.can_view_inbox)
def stream(request):
    try:
        watch_id = int(request.GET.get("watch") or 0) or None
    except ValueError:
        watch_id = None
    kind = request.GET.get("kind", "")
    questions = request.GET.get("questions") == "1"
    results = selectors.result_stream(watch_id=watch_id, kind=kind, questions=questions)
    now = timezone.now()
    return render(
        request,
        "listening/stream.html",
        {
            "page": Paginator(results, 30).get_page(request.GET.get("page")),
            "watches": Watch.objects.select_related("channel"),
            "counts": selectors.daily_counts(now=now),
            "shares": selectors.share_of_voice(now=now),
            "filters": {"watch": watch_id, "kind": kind, "questions": questions},
            "kinds": Watch.Kind.choices,
        },
    )


@role_required(roles.can_manage_protocol)
def watch_edit(request, pk: int | None = None):
    return protocol_edit(
        request,
        model=Watch,
        form_class=WatchForm,
        pk=pk,
        title=_("Watch"),
        back="listening:stream",
        back_label=_("Listening"),
    )


@require_POST
@role_required(roles.can_reply)
def send_to_inbox(request, pk: int):
    result = get_object_or_404(Result, pk=pk)
    try:
        conversation = result_send_to_inbox(result=result, by=request.user)
    except SendRefused as refused:
        flash.error(request, str(refused))
        return redirect("listening:stream")
    flash.success(request, _("Sent to the inbox: the protocol applies from now on."))
    return redirect("inbox:detail", pk=conversation.pk)
