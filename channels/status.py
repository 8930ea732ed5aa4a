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
