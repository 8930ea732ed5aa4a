from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CrisisAlert(models.Model):
    """A spike of complaints or negative items about one subject, raised by ``crisis_detect``."""

    subject = models.CharField(_("subject"), max_length=80)
    count = models.PositiveIntegerField(_("items in the window"))
    window_minutes = models.PositiveIntegerField(_("window (minutes)"))
    usual = models.FloatField(_("usual items per window"))
    conversation_ids = models.JSONField(_("conversations"), default=list)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("crisis alert")
        verbose_name_plural = _("crisis alerts")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"], condition=models.Q(closed_at__isnull=True), name="crisis_one_open_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject}: {self.count}"


class CrisisMention(models.Model):
    """A subject word of a negative inbound message (a complaint, a crisis, or
    unclassified and clearly negative): what crisis detection counts. Written by
    ``crisis_detect`` for the messages that arrived since it last looked, dropped
    once older than the week it compares with."""

    subject = models.CharField(_("subject"), max_length=80)
    conversation_id = models.BigIntegerField(_("conversation"))
    message_id = models.BigIntegerField(_("message"))
    # The message's time on the network, as the window and the usual rate read it.
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("crisis mention")
        verbose_name_plural = _("crisis mentions")
        constraints = [
            models.UniqueConstraint(fields=["message_id", "subject"], name="crisis_mention_once_per_message")
        ]
        indexes = [
            models.Index(fields=["at"], name="crisis_mention_at_idx"),
            models.Index(fields=["subject", "at"], name="crisis_mention_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} #{self.conversation_id}"


class CrisisScan(models.Model):
    """How far crisis detection has read the messages: every inbound message with
    an id up to ``last_message_id`` has been tallied. One row."""

    last_message_id = models.BigIntegerField(_("last message read"), default=0)

    class Meta:
        verbose_name = _("crisis scan")
        verbose_name_plural = _("crisis scans")

    def __str__(self) -> str:
        return f"#{self.last_message_id}"
