from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from protocols.models.category import Category


class EscalationRule(models.Model):
    """Whom to warn when a conversation's deadline is at risk or breached, or a crisis comes in."""

    class Trigger(models.TextChoices):
        AT_RISK = "at_risk", _("deadline at risk")
        BREACHED = "breached", _("deadline breached")
        CRISIS = "crisis", _("crisis item received")

    class Target(models.TextChoices):
        ASSIGNEE = "assignee", _("the assigned gestor")
        SUPERVISORS = "supervisors", _("the supervisors")
        COMMUNITY_MANAGERS = "community_managers", _("the Community Managers")

    trigger = models.CharField(_("when"), max_length=10, choices=Trigger.choices)
    target = models.CharField(_("warn"), max_length=20, choices=Target.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("only for category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalations",
    )
    by_email = models.BooleanField(_("also by e-mail"), default=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["trigger", "target"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} → {self.get_target_display()}"


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

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="alert_unread_idx")]

    def __str__(self) -> str:
        return self.text
