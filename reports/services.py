"""The weekly report by e-mail: who gets it, and sending it once per person per week.

Every Monday at 08:00 local the beat sends the week just ended to the owners
and to anyone who opted in (anyone can opt out). A ``WeeklyReportSending`` row,
unique per person and week, is inserted in the same transaction that sends:
a second run (the beat twice, or the command) finds the row and skips that
person; ``force`` sends again. If sending fails, the transaction rolls back
and the next run tries again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core import roles
from reports.models import WeeklyEmailChoice, WeeklyReportSending
from reports.weeks import Period, Week


def email_wanted(*, user) -> bool:
    """Owners get the e-mail unless they opted out; everyone else if they opted in."""
    choice = WeeklyEmailChoice.objects.filter(user=user).values_list("wants", flat=True).first()
    if choice is not None:
        return choice
    return roles.has_any_role(user, {roles.Role.OWNER})


def email_choice_set(*, user, wants: bool, language: str) -> WeeklyEmailChoice:
    choice, _created = WeeklyEmailChoice.objects.update_or_create(
        user=user, defaults={"wants": wants, "language": language}
    )
    return choice


def email_recipients() -> list:
    """Active people with a role and an address who want the e-mail."""
    User = get_user_model()
    choices = dict(WeeklyEmailChoice.objects.values_list("user_id", "wants"))
    candidates = (
        User.objects.filter(is_active=True, groups__name__in=roles.Role.values)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    recipients = []
    for user in candidates:
        wanted = choices.get(user.pk)
        if wanted is None:
            wanted = roles.has_any_role(user, {roles.Role.OWNER})
        if wanted:
            recipients.append(user)
    return recipients


@dataclass(frozen=True)
class Sent:
    user: object
    sent: bool  # False: already sent this week, skipped


def report_weekly_send(
    *, week: Week | None = None, to: list[str] | None = None, force: bool = False, now: datetime | None = None
) -> list[Sent]:
    """Send ``week``'s report (default: the week just ended) to its recipients, or
    to the people named in ``to`` (usernames or addresses); once per person per
    week unless ``force``. Returns what happened to each."""
    now = now or timezone.now()
    week = week or Week.last_complete(now)
    recipients = email_recipients()
    if to:
        User = get_user_model()
        wanted = {name.lower() for name in to}
        recipients = [
            u
            for u in User.objects.filter(is_active=True).exclude(email="").order_by("pk")
            if u.username.lower() in wanted or u.email.lower() in wanted
        ]
    results = []
    for user in recipients:
        if not roles.can_view_inbox(user):
            continue
        results.append(Sent(user, _send_once(user=user, week=week, force=force, now=now)))
    return results


def _send_once(*, user, week: Week, force: bool, now: datetime) -> bool:
    with transaction.atomic():
        try:
            with transaction.atomic():
                WeeklyReportSending.objects.create(user=user, week=week.label, sent_at=now)
        except IntegrityError:
            if not force:
                return False
            sending = WeeklyReportSending.objects.select_for_update().get(user=user, week=week.label)
            sending.sent_at, sending.times = now, sending.times + 1
            sending.save(update_fields=["sent_at", "times"])
        report_email(user=user, week=week, now=now).send()
    return True


def report_email(*, user, week: Week, now: datetime) -> EmailMultiAlternatives:
    """The e-mail for ``user``: subject, text and HTML from the templates, in their language."""
    from reports.presenting import summary
    from reports.selectors import report_build, scope_for
    from reports.views import page_context

    period = Period(week, week)
    language = (
        WeeklyEmailChoice.objects.filter(user=user).values_list("language", flat=True).first() or settings.LANGUAGE_CODE
    )
    report = report_build(period=period, scope=scope_for(user=user), now=now)
    with translation.override(language):
        context = page_context(report, period)
        context.update(
            {
                "user": user,
                "summary": summary(report),
                "link": f"{settings.MOSTRADOR_BASE_URL.rstrip('/')}/reports/?week={week.label}",
                "brand": settings.MOSTRADOR_BRAND_NAME,
            }
        )
        subject = " ".join(render_to_string("reports/email/weekly_subject.txt", context).split())
        text = render_to_string("reports/email/weekly.txt", context)
        html = render_to_string("reports/email/weekly.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message
