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
