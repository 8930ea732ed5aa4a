from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from protocols.models.category import Category


class CannedReply(models.Model):
    """A ready answer from the protocol, with variables filled in at the reply box."""

    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL, related_name="canned"
    )
    body = models.TextField(_("text"), help_text=_("Variables: {contact_name}, {gestor_name}, {brand}, {channel}."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["category__name", "title"]

    def __str__(self) -> str:
        return self.title


class ReplyCheck(models.Model):
    """How one check of the reply box behaves: off, a warning, or blocking."""

    class Kind(models.TextChoices):
        SPELLING = "spelling", _("spelling")
        SENSITIVE = "sensitive", _("sensitive topics")
        TONE = "tone", _("aggressive tone")

    class Mode(models.TextChoices):
        OFF = "off", _("off")
        WARN = "warn", _("warn")
        BLOCK = "block", _("block sending")

    kind = models.CharField(_("check"), max_length=10, choices=Kind.choices, unique=True)
    mode = models.CharField(_("mode"), max_length=5, choices=Mode.choices, default=Mode.WARN)
    words = models.TextField(
        _("words"),
        blank=True,
        help_text=_("Spelling: words to accept (brand, products). Tone: extra insults. One per line."),
    )

    class Meta:
        verbose_name = _("reply check")
        verbose_name_plural = _("reply checks")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class SensitiveTopic(models.Model):
    """A subject a brand does not discuss in public (politics, religion…): its words."""

    name = models.CharField(_("name"), max_length=80)
    words = models.TextField(_("words and phrases"), help_text=_("One per line; accents and capitals ignored."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sensitive topic")
        verbose_name_plural = _("sensitive topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProtocolChange(models.Model):
    """One version of a protocol object: who changed it, when, and the diff."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        DELETED = "deleted", _("deleted")

    model = models.CharField(_("kind"), max_length=60)
    object_id = models.PositiveIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    diff = models.TextField(_("diff"), blank=True)

    class Meta:
        verbose_name = _("protocol change")
        verbose_name_plural = _("protocol changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"], name="protocolchange_object_idx")]

    def __str__(self) -> str:
        return f"{self.object_repr} {self.action}"


class CaseProposal(models.Model):
    """A gestor's "new case" for the manual, taken from a real conversation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="proposals"
    )
    conversation = models.ForeignKey(
        "inbox.Conversation",
        verbose_name=_("conversation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("the case and how it was handled"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("case proposal")
        verbose_name_plural = _("case proposals")
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.category}: {self.text[:40]}"
