"""A channel that needs the Community Manager: disabled, with the reason, and an alert."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import Channel
from core.alerts import alerts_create
from core.models import Alert
from core.roles import Role


def channel_disable(*, channel: Channel, reason: str) -> bool:
    """Disable ``channel`` (an expired or revoked token) once; tell the CMs. Returns whether it changed."""

    now = timezone.now()
    changed = Channel.objects.filter(pk=channel.pk, active=True).update(
        active=False, last_error=reason[:2000], last_error_at=now
    )
    if changed:
        managers = get_user_model().objects.filter(is_active=True, groups__name=Role.COMMUNITY_MANAGER).distinct()
        text = _("%(channel)s was disabled: %(reason)s") % {"channel": channel.name, "reason": reason}
        alerts_create(alerts=(Alert(recipient=m, kind=Alert.Kind.CHANNEL, text=text[:300]) for m in managers))
    return bool(changed)


def channel_failing(*, channel_id: int, reason: str) -> bool:
    """Mark the channel as failing to read its deliveries; alert the CMs when it
    starts (not on every failure). Returns whether it started now."""
    started = Channel.objects.filter(pk=channel_id, failing_since__isnull=True).update(failing_since=timezone.now())
    if started:
        channel = Channel.objects.get(pk=channel_id)
        managers = get_user_model().objects.filter(is_active=True, groups__name=Role.COMMUNITY_MANAGER).distinct()
        text = _("%(channel)s: deliveries cannot be read (%(reason)s). See the channel page.") % {
            "channel": channel.name,
            "reason": reason[:120],
        }
        alerts_create(alerts=(Alert(recipient=m, kind=Alert.Kind.CHANNEL, text=text[:300]) for m in managers))
    return bool(started)


def channels_recovered(*, channel_ids: set[int]) -> int:
    """These channels' deliveries were read cleanly: they no longer fail."""
    return Channel.objects.filter(pk__in=channel_ids, failing_since__isnull=False).update(failing_since=None)
