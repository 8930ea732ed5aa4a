from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import validate_time_zone
from protocols.models.category import Category


def default_hours() -> dict:
    """Monday to Friday 9:00–14:00 and 16:00–19:00, Saturday 10:00–14:00 (weekday 0 is Monday)."""
    weekday = [["09:00", "14:00"], ["16:00", "19:00"]]
    return {"0": weekday, "1": weekday, "2": weekday, "3": weekday, "4": weekday, "5": [["10:00", "14:00"]]}


class BusinessCalendar(models.Model):
    """When SLA clocks run: always, or in business hours minus holidays, in a time zone."""

    name = models.CharField(_("name"), max_length=80)
    time_zone = models.CharField(
        _("time zone"), max_length=60, default="Europe/Madrid", validators=[validate_time_zone]
    )
    always_open = models.BooleanField(_("24/7"), default=False)
    hours = models.JSONField(
        _("opening hours"),
        default=default_hours,
        blank=True,
        help_text=_('Per weekday (0 = Monday) a list of ["HH:MM", "HH:MM"] intervals.'),
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_per_calendar")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class SlaPolicy(models.Model):
    """Reply deadlines for a category, optionally on one channel only (that one wins).

    - first response: from the first inbound message to the first reply sent;
    - next response: from each inbound message that arrives while the team owes
      no answer, to the next reply;
    - resolution: from the first inbound message to the conversation resolved.
    Times count only while the calendar is open.
    """

    name = models.CharField(_("name"), max_length=120)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="slas"
    )
    channel = models.ForeignKey(
        "channels.Channel",
        verbose_name=_("only on channel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="slas",
    )
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="policies"
    )
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    next_response_minutes = models.PositiveIntegerField(_("next response (minutes)"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"), null=True, blank=True)
    at_risk_percent = models.PositiveSmallIntegerField(
        _("at risk after (% of the time)"),
        default=75,
        help_text=_("Warn when this share of the time has passed."),
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["category__priority", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "channel"], condition=models.Q(active=True), name="sla_one_active_per_scope"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SlaOutcome(models.Model):
    """One deadline that ended: answered, resolved, or past due; for the reports."""

    class Metric(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("first response")
        NEXT_RESPONSE = "next_response", _("next response")
        RESOLUTION = "resolution", _("resolution")

    conversation = models.ForeignKey(
        "inbox.Conversation", verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="sla_outcomes"
    )
    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("SLA policy"), null=True, on_delete=models.SET_NULL, related_name="outcomes"
    )
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    started_at = models.DateTimeField(_("clock started"))
    due_at = models.DateTimeField(_("due"))
    completed_at = models.DateTimeField(_("completed"))
    # Time that counted on the calendar, in seconds.
    business_seconds = models.PositiveIntegerField(_("business seconds"))
    breached = models.BooleanField(_("breached"))

    class Meta:
        verbose_name = _("SLA outcome")
        verbose_name_plural = _("SLA outcomes")
        ordering = ["-completed_at"]
        indexes = [models.Index(fields=["metric", "completed_at"], name="slaoutcome_report_idx")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} #{self.conversation_id}: {'breached' if self.breached else 'met'}"
