"""In-app alerts for people, and the e-mail some of them owe.

An alert that should also be e-mailed is stored with ``email=True`` in the
same transaction as the change that raised it. ``alerts_email`` sends what is
owed: right after commit when the broker takes the task, else on the beat's
next run. Each alert is claimed before its e-mail goes out, so two runs never
send it twice; a failed send releases the claim for the next run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import live
from core.memo import forget, read_on_every_page, remembered
from core.models import Alert
from core.queue import dispatch

logger = logging.getLogger(__name__)


UNREAD = "unread_alerts"
read_on_every_page(UNREAD)


def alerts_unread_count(*, user: Any) -> int:
    """``user``'s unread alerts, for the badge on every page (remembered; forgotten
    when one is created for them or they read some)."""
    return remembered(UNREAD, user.pk, lambda: Alert.objects.filter(recipient=user, read_at__isnull=True).count())


def _unread_forget(recipient_ids: set[int]) -> None:
    for recipient_id in recipient_ids:
        forget(UNREAD, recipient_id)


def alerts_create(*, alerts: Iterable[Alert]) -> list[Alert]:
    """Store ``alerts``; those with ``email`` set get their e-mail after commit. Returns them."""
    created = Alert.objects.bulk_create(list(alerts))
    live.alerts_changed(alert.recipient_id for alert in created)
    _unread_forget({alert.recipient_id for alert in created})
    if any(alert.email for alert in created):
        from core.tasks import alerts_email_task

        transaction.on_commit(lambda: dispatch(alerts_email_task))
    return created


def alerts_email(*, limit: int = 500) -> int:
    """Send the e-mails owed, one message per recipient listing their alerts; returns how many were sent."""
    now = timezone.now()
    with transaction.atomic():
        owed = list(
            Alert.objects.select_for_update(skip_locked=True)
            .filter(email=True, emailed_at__isnull=True)
            .order_by("id")
            .values_list("pk", flat=True)[:limit]
        )
        Alert.objects.filter(pk__in=owed).update(emailed_at=now)
    if not owed:
        return 0
    alerts = list(Alert.objects.filter(pk__in=owed).select_related("recipient").order_by("recipient_id", "id"))
    mails = _mails(alerts)
    try:
        if mails:
            send_mass_mail(mails, fail_silently=False)
    except OSError:
        logger.warning("Alert e-mails not sent; the next run tries again.", exc_info=True)
        Alert.objects.filter(pk__in=owed, emailed_at=now).update(emailed_at=None)
        raise
    return len(mails)


def _mails(alerts: list[Alert]) -> list[tuple[str, str, str, list[str]]]:
    by_recipient: dict[int, list[Alert]] = defaultdict(list)
    for alert in alerts:
        if alert.recipient.email:
            by_recipient[alert.recipient_id].append(alert)
    base = settings.MOSTRADOR_BASE_URL.rstrip("/")
    mails = []
    for items in by_recipient.values():
        recipient = items[0].recipient
        lines = [f"- {alert.text}: {base}{alert_link(alert)}" for alert in items]
        subject = items[0].text if len(items) == 1 else _("%(count)s conversations need you") % {"count": len(items)}
        mails.append((f"[Mostrador] {subject}", "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [recipient.email]))
    return mails


def alert_link(alert: Alert) -> str:
    """Where an alert leads: its conversation, else the alerts page."""
    if alert.conversation_id:
        return reverse("inbox:detail", args=[alert.conversation_id])
    return reverse("alerts:list")


def alerts_mark_read(*, user: Any, alert_ids: list[int] | None = None) -> int:
    """Mark ``user``'s unread alerts (or only ``alert_ids``) read; returns how many."""
    unread = Alert.objects.filter(recipient=user, read_at__isnull=True)
    if alert_ids is not None:
        unread = unread.filter(pk__in=alert_ids)
    marked = unread.update(read_at=timezone.now())
    if marked:
        _unread_forget({user.pk})
        live.alerts_changed([user.pk])  # the badge in the person's other tabs
    return marked


# --- What is late now, on the alerts page ------------------------------------------------------

# Apps above core tell the alerts page what is late now (the inbox: open
# conversations overdue and at risk). Each provider takes the user and returns
# ``(text, count, url)`` lines; alerts go to people, but everyone who opens the
# page (the owner included) sees what is late.
LateProvider = Any
_late_providers: list[LateProvider] = []


def late_provider_register(provider: LateProvider) -> None:
    if provider not in _late_providers:
        _late_providers.append(provider)


def late_now(*, user) -> list[tuple[str, int, str]]:
    """What is late now, as ``(text, count, url)``, from every provider; lines with a count of 0 are left out."""
    return [line for provider in _late_providers for line in provider(user) if line[1]]
