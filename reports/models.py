"""Tables the weekly report reads, kept current by the lifecycle hooks
(``reports/hooks.py``) and rebuilt from the raw tables by ``reports_rebuild``;
and the e-mail's recipients and sendings."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConversationFact(models.Model):
    """One row per conversation: what the report needs of it, never a scan of its messages.

    The references carry no database constraint: a fact is written in the hot
    path of ingest and replies, and conversations are never deleted.
    """

    conversation = models.OneToOneField(
        "inbox.Conversation",
        verbose_name=_("conversation"),
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    channel = models.ForeignKey(
        "channels.Channel",
        verbose_name=_("channel"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    category = models.ForeignKey(
        "protocols.Category",
        verbose_name=_("category"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    first_inbound_at = models.DateTimeField(_("first inbound at"))
    requires_reply = models.BooleanField(_("requires a reply"))
    first_response_at = models.DateTimeField(_("first response at"), null=True)
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first response by"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # First response time minus first inbound time: calendar seconds, and the
    # seconds the conversation's SLA calendar was open (calendar seconds without a policy).
    response_seconds = models.FloatField(_("first response (s)"), null=True)
    response_business_seconds = models.FloatField(_("first response, business time (s)"), null=True)
    # The first inbound message arrived outside business hours.
    off_hours = models.BooleanField(_("outside business hours"))
    # An answer is owed now, since this time (the inbox's waiting_since, while it needs a reply and is not resolved).
    owed_since = models.DateTimeField(_("answer owed since"), null=True)

    class Meta:
        verbose_name = _("conversation fact")
        verbose_name_plural = _("conversation facts")
        indexes = [
            # A week's facts. Narrow on purpose: every ingest batch writes facts.
            models.Index(fields=["first_inbound_at"], name="fact_week_idx"),
            models.Index(fields=["owed_since"], condition=models.Q(owed_since__isnull=False), name="fact_owed_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id} {self.first_inbound_at:%Y-%m-%d %H:%M}"


class HourlyVolume(models.Model):
    """Inbound messages per channel per UTC hour, and how many of them arrived outside business hours."""

    hour = models.DateTimeField(_("hour"))
    channel_id = models.IntegerField(_("channel"))
    inbound = models.IntegerField(_("inbound messages"), default=0)
    inbound_off_hours = models.IntegerField(_("inbound outside business hours"), default=0)

    class Meta:
        verbose_name = _("hourly volume")
        verbose_name_plural = _("hourly volumes")
        constraints = [models.UniqueConstraint(fields=["hour", "channel_id"], name="hourlyvolume_unique_key")]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h channel {self.channel_id}: {self.inbound}"


class DailyCount(models.Model):
    """Counts per local day (``TIME_ZONE``) and channel: replies sent and
    conversations resolved per person, SLA outcomes met or breached by the day
    they were due, per category and per person.

    ``kind``: ``reply``, ``resolved`` (``category_id`` is ``ANY``), ``met:<metric>``
    and ``breached:<metric>``, each written twice: per category (``user_id`` is
    ``ANY``) and per person (``category_id`` is ``ANY``). ``NONE`` is no category
    or nobody.
    """

    ANY = -1
    NONE = 0

    day = models.DateField(_("day"))
    channel_id = models.IntegerField(_("channel"))
    category_id = models.IntegerField(_("category"))
    user_id = models.IntegerField(_("person"))
    kind = models.CharField(_("kind"), max_length=32)
    count = models.IntegerField(_("count"))

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "channel_id", "category_id", "user_id"], name="dailycount_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}: {self.count}"


def default_language() -> str:
    return settings.LANGUAGE_CODE


class WeeklyEmailChoice(models.Model):
    """Whether a person gets the weekly report by e-mail. Without a row: owners do, others do not."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    wants = models.BooleanField(_("weekly report by e-mail"))
    # The language the person used when they chose: the e-mail is written in it.
    language = models.CharField(_("language"), max_length=10, default=default_language)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("weekly e-mail choice")
        verbose_name_plural = _("weekly e-mail choices")

    def __str__(self) -> str:
        return f"{self.user_id}: {'yes' if self.wants else 'no'}"


class WeeklyReportSending(models.Model):
    """A week's report sent to one person: the row that keeps it from going twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    week = models.CharField(_("week"), max_length=10)  # ISO: 2026-W47
    sent_at = models.DateTimeField(_("sent at"))
    times = models.PositiveSmallIntegerField(_("times sent"), default=1)

    class Meta:
        verbose_name = _("weekly report sent")
        verbose_name_plural = _("weekly reports sent")
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="weekly_report_once_per_week")]

    def __str__(self) -> str:
        return f"{self.week} → {self.user_id}"
