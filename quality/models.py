"""Quality review: a weekly sample of replies per gestor, scored on the CM's rubric.

``ReviewItem``: a sent reply waiting in (or taken from) the review queue, one
per reply; ``ReviewWeek``: the queue of a week was built (the weekly task is
idempotent); ``Criterion``: one line of the rubric; ``Review``: a supervisor's
scores and comment on one reply, which its author acknowledges.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# The defaults of the rubric, by key (labels translated when the CM leaves them empty).
DEFAULT_CRITERIA = {
    "answered": _("Answered the question"),
    "tone": _("Tone"),
    "protocol": _("Followed the protocol"),
    "spelling": _("Spelling"),
    "on_time": _("On time"),
}
# Each criterion is scored 0 (no), 1 (partly) or 2 (yes).
SCORE_MAX = 2


class QualitySettings(models.Model):
    """The Community Manager's settings (one row)."""

    sample_size = models.PositiveSmallIntegerField(
        _("replies sampled per gestor and week"),
        default=3,
        validators=[MaxValueValidator(50)],
        help_text=_("Besides every reply a check warned about."),
    )

    class Meta:
        verbose_name = _("quality review settings")
        verbose_name_plural = _("quality review settings")

    def __str__(self) -> str:
        return str(_("Quality review settings"))

    @classmethod
    def current(cls) -> QualitySettings:
        return cls.objects.order_by("pk").first() or cls(sample_size=3)


class Criterion(models.Model):
    """One line of the rubric the Community Manager edits."""

    key = models.SlugField(_("key"), max_length=30, unique=True)
    label = models.CharField(_("label"), max_length=120, blank=True, help_text=_("Empty: the default name."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.label or str(DEFAULT_CRITERIA.get(self.key, self.key))


class ReviewWeek(models.Model):
    """The review queue of the week starting ``monday`` was built (once)."""

    monday = models.DateField(_("week"), unique=True)
    built_at = models.DateTimeField(_("built at"), auto_now_add=True)
    sample_size = models.PositiveSmallIntegerField(_("sample size"))

    class Meta:
        verbose_name = _("review week")
        verbose_name_plural = _("review weeks")
        ordering = ["-monday"]

    def __str__(self) -> str:
        return str(self.monday)


class ReviewItem(models.Model):
    """A sent reply in the review queue."""

    class Reason(models.TextChoices):
        SAMPLE = "sample", _("sampled")
        CHECK = "check", _("a check warned")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        REVIEWED = "reviewed", _("reviewed")

    message = models.OneToOneField("inbox.Message", verbose_name=_("reply"), on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(
        "inbox.Conversation", verbose_name=_("conversation"), on_delete=models.PROTECT, related_name="+"
    )
    gestor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("gestor"), on_delete=models.PROTECT, related_name="+"
    )
    monday = models.DateField(_("week"), db_index=True)
    reason = models.CharField(_("why"), max_length=10, choices=Reason.choices)
    findings = models.JSONField(_("what the checks said"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review queue item")
        verbose_name_plural = _("review queue items")
        ordering = ["-monday", "status", "gestor_id", "pk"]
        indexes = [models.Index(fields=["status", "monday"], name="reviewitem_queue_idx")]

    def __str__(self) -> str:
        return f"{self.monday} · {self.message_id}"


class Review(models.Model):
    """A supervisor's scores and comment on one reply; its author acknowledges it."""

    item = models.OneToOneField(
        ReviewItem, verbose_name=_("reply reviewed"), on_delete=models.PROTECT, related_name="review"
    )
    gestor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("gestor"), on_delete=models.PROTECT, related_name="quality_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    monday = models.DateField(_("week of the reply"), db_index=True)
    # [{"key", "name", "score"}]: the rubric as it was when scored ("name" empty: the default, translated on display).
    scores = models.JSONField(_("scores"), default=list)
    score = models.FloatField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(1)], help_text=_("0 to 1")
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    proposal = models.ForeignKey(
        "protocols.CaseProposal",
        verbose_name=_("new case proposed"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["gestor"], condition=models.Q(acknowledged_at__isnull=True), name="review_unacknowledged_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.gestor_id}: {self.score:.2f}"

    def score_lines(self) -> list[dict]:
        """The scores with each criterion's name, defaults in the reader's language."""
        return [
            {**line, "name": line.get("name") or str(DEFAULT_CRITERIA.get(line["key"], line["key"]))}
            for line in self.scores
        ]
