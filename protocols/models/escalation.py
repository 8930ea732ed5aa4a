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
