"""Channel pages: everyone with a role reads; only the Community Manager edits."""

from django.contrib import messages as flash
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels.forms import MetaChannelForm, WebChannelForm, XChannelForm
from channels.inbound import inbound_event_replay
from channels.models import Channel, InboundEvent
from core import roles
from core.pages import role_required


@role_required(roles.can_view_inbox)
def channel_list(request):
    channels = Channel.objects.annotate(
        rejected=Count("events", filter=Q(events__status=InboundEvent.Status.REJECTED)),
        failed=Count("events", filter=Q(events__status=InboundEvent.Status.FAILED)),
    ).order_by("name")
    rows = [(channel, request.build_absolute_uri(channel.webhook_path)) for channel in channels]
    return render(request, "channels/list.html", {"rows": rows})


@role_required(roles.can_view_inbox)
def channel_detail(request, pk: int):
    channel = get_object_or_404(Channel, pk=pk)
    deliveries = InboundEvent.objects.filter(channel=channel).defer("body").order_by("-id")[:50]
    return render(
        request,
        "channels/detail.html",
        {
            "channel": channel,
            "deliveries": deliveries,
            "webhook_url": request.build_absolute_uri(channel.webhook_path),
        },
    )


# The channels the CM sets up from these pages, by kind.
EDIT_FORMS = {"web": WebChannelForm, "x": XChannelForm, "facebook": MetaChannelForm, "instagram": MetaChannelForm}


@role_required(roles.can_manage_channels)
def channel_edit(request, pk: int | None = None):
    kind = request.GET.get("kind", "web")
    channel = get_object_or_404(Channel, pk=pk, kind__in=EDIT_FORMS) if pk else Channel(kind=kind)
    if channel.kind not in EDIT_FORMS:
        raise Http404
    form = EDIT_FORMS[channel.kind](request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        channel = form.save()
        flash.success(request, _("Channel saved."))
        return redirect("channels:detail", pk=channel.pk)
    return render(request, "channels/edit.html", {"form": form, "channel": channel})


@require_POST
@role_required(roles.can_manage_channels)
def event_replay(request, pk: int):
    """Put a failed delivery back in the queue (after a fix), keeping its history."""
    event = get_object_or_404(InboundEvent, pk=pk, status=InboundEvent.Status.FAILED, channel__isnull=False)
    inbound_event_replay(event=event)
    flash.success(request, _("Delivery #%(id)s queued again.") % {"id": event.pk})
    return redirect("channels:detail", pk=event.channel_id)
