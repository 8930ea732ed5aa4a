"""Channel pages: everyone with a role reads; only the Community Manager edits."""

from django.contrib import messages as flash
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels.connectors.registry import connector_class, kinds
from channels.inbound import ReplayRefused, inbound_event_replay
from channels.models import Channel, InboundEvent
from core import roles
from core.pages import role_required


@role_required(roles.can_view_inbox)
def channel_list(request):
    channels = Channel.objects.annotate(
        rejected=Count("events", filter=Q(events__status=InboundEvent.Status.REJECTED)),
        failed=Count("events", filter=Q(events__status=InboundEvent.Status.FAILED)),
    ).order_by("name")
    rows = [(channel, _absolute(request, channel.webhook_path)) for channel in channels]
    # Authentic deliveries for accounts that have no channel yet: replayable once it exists.
    orphans = InboundEvent.objects.filter(
        channel__isnull=True, status=InboundEvent.Status.REJECTED, authentic=True
    ).defer("body")[:20]
    return render(request, "channels/list.html", {"rows": rows, "setups": _setups(), "orphans": orphans})


@role_required(roles.can_view_inbox)
def channel_detail(request, pk: int):
    channel = get_object_or_404(Channel, pk=pk)
    deliveries = InboundEvent.objects.filter(channel=channel).defer("body").order_by("-id")[:50]
    unparsed = channel.unparsed_entries.filter(replayed_at__isnull=True).select_related("event")[:50]
    return render(
        request,
        "channels/detail.html",
        {
            "channel": channel,
            "deliveries": deliveries,
            "unparsed": unparsed,
            "webhook_url": _absolute(request, channel.webhook_path),
            "can_set_up": connector_class(channel.kind).setup_form is not None,
        },
    )


def _absolute(request, path: str | None) -> str:
    return request.build_absolute_uri(path) if path else ""


def _setups() -> list[tuple[str, str]]:
    """The kinds the Community Manager sets up from these pages, with the button's title."""
    return [(kind, str(connector_class(kind).setup_title)) for kind in kinds() if connector_class(kind).setup_form]


@role_required(roles.can_manage_channels)
def channel_edit(request, pk: int | None = None):
    channel = get_object_or_404(Channel, pk=pk) if pk else Channel(kind=request.GET.get("kind", "web"))
    if channel.kind not in kinds() or not (form_path := connector_class(channel.kind).setup_form):
        raise Http404
    form = import_string(form_path)(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        channel = form.save()
        flash.success(request, _("Channel saved."))
        return redirect("channels:detail", pk=channel.pk)
    title = _("Edit channel") if channel.pk else connector_class(channel.kind).setup_title
    return render(request, "channels/edit.html", {"form": form, "channel": channel, "title": title})


@require_POST
@role_required(roles.can_manage_channels)
def event_replay(request, pk: int):
    """Process a delivery again once its cause is fixed (a failed one, one with
    entries that could not be read, an authentic one refused), keeping its history."""
    event = get_object_or_404(InboundEvent, pk=pk)
    if not (event.replayable or event.unparsed.filter(replayed_at__isnull=True).exists()):
        raise Http404
    try:
        event = inbound_event_replay(event=event)
    except ReplayRefused as refused:
        flash.error(request, str(refused))
    else:
        flash.success(request, _("Delivery #%(id)s queued again.") % {"id": event.pk})
    if event.channel_id:
        return redirect("channels:detail", pk=event.channel_id)
    return redirect("channels:list")
