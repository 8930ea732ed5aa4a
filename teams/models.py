"""Teams, their members and the rota: who attends which channels, and when."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import validate_time_zone

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Member(models.Model):
    """A person who attends conversations: their capacity, languages and away switch."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="member"
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=15,
        validators=[MinValueValidator(1)],
        help_text=_("Most open conversations at once."),
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    away = models.BooleanField(_("away"), default=False, help_text=_("Receives nothing new while away."))

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class Team(models.Model):
    class Strategy(models.TextChoices):
        LEAST_OPEN = "least_open", _("least open conversations")
        ROUND_ROBIN = "round_robin", _("round robin")

    name = models.CharField(_("name"), max_length=80)
    time_zone = models.CharField(
        _("time zone"), max_length=60, default="Europe/Madrid", validators=[validate_time_zone]
    )
    channels = models.ManyToManyField("channels.Channel", verbose_name=_("channels"), related_name="teams", blank=True)
    members = models.ManyToManyField(Member, verbose_name=_("members"), related_name="teams", blank=True)
    strategy = models.CharField(_("assignment"), max_length=12, choices=Strategy.choices, default=Strategy.LEAST_OPEN)
    # Round robin: the member who got the last conversation.
    last_assigned = models.ForeignKey(
        Member, verbose_name=_("last assigned"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """A weekly recurring shift, in the team's time zone. An end at or before the
    start means the shift crosses midnight (22:00–06:00)."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="shifts")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["weekday", "starts"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class ExtraShift(models.Model):
    """A one-off shift: covering a holiday, a gap, a busy evening."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="extra_shifts")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="extra_shifts")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("extra shift")
        verbose_name_plural = _("extra shifts")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="extra_shift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.starts_at:%Y-%m-%d %H:%M}"


class Absence(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday")
        SICK = "sick", _("sick leave")
        OTHER = "other", _("other")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="absence_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.first_day}–{self.last_day}"


class PublicHoliday(models.Model):
    """A day the team's weekly shifts do not run; extra shifts cover it."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["team", "date"], name="public_holiday_unique_per_team")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
