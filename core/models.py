"""Models every app shares: in-app alerts for people."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.accounts.models import ApiToken  # noqa: F401 - the model belongs to this app


class Alert(models.Model):
    """An in-app warning for one person: a deadline at risk or breached, a crisis."""

    class Kind(models.TextChoices):
        AT_RISK = "at_risk", _("deadline at risk")
        BREACHED = "breached", _("deadline breached")
        CRISIS = "crisis", _("crisis")
        ASSIGNED = "assigned", _("assigned to you")
        HANDOVER = "handover", _("handed over to you")
        ROTA_GAP = "rota_gap", _("gap in the rota")
        CASE = "case", _("your proposal for the manual")
        CHANNEL = "channel", _("a channel needs attention")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    conversation = models.ForeignKey(
        "inbox.Conversation",
        verbose_name=_("conversation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Owed an e-mail too: recorded with the alert, settled by ``alerts_email``
    # (after commit, and by the beat if the broker was down).
    email = models.BooleanField(_("also by e-mail"), default=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="alert_unread_idx"),
            models.Index(
                fields=["id"], condition=models.Q(email=True, emailed_at__isnull=True), name="alert_email_owed_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.text
