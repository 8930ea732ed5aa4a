from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from protocols.matching import pattern_error
from protocols.models.category import Category


def validate_pattern(value: str) -> None:
    """Refuse a pattern RE2 cannot run: invalid, or using what a linear-time engine lacks."""
    if value and (error := pattern_error(value)):
        raise ValidationError(
            _(
                "This regular expression cannot be used: %(error)s. So that no rule can hold up incoming "
                "messages, patterns run on a linear-time engine (RE2), which does not support "
                "back-references (\\1), look-ahead or look-behind ((?=…), (?!…), (?<=…), (?<!…)), "
                "possessive or atomic groups (a++, (?>…)), nor \\b next to an accented letter. "
                "Use keywords instead: one per line, they match whole words, ignoring accents and capitals."
            ),
            code="unsupported_pattern",
            params={"error": error},
        )


class AuthorList(models.Model):
    """Handles that deserve special treatment: press, VIP customers, competitors."""

    class Kind(models.TextChoices):
        PRESS = "press", _("press")
        VIP = "vip", _("VIP")
        COMPETITOR = "competitor", _("competitor")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    handles = models.TextField(
        _("handles"), blank=True, help_text=_("One per line: @handle, e-mail or network id; capitals ignored.")
    )

    class Meta:
        verbose_name = _("author list")
        verbose_name_plural = _("author lists")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def handle_set(self) -> frozenset[str]:
        return frozenset(line.strip().lstrip("@").casefold() for line in self.handles.splitlines() if line.strip())


class Rule(models.Model):
    """One line of the protocol: when an inbound message matches, classify its conversation.

    Rules are evaluated in ``position`` order on every new inbound message; the
    first matching rule wins. Every condition that is set must hold.
    """

    class Visibility(models.TextChoices):
        ANY = "any", _("public or private")
        PUBLIC = "public", _("public only")
        PRIVATE = "private", _("private only")

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("order"), default=100, db_index=True)
    active = models.BooleanField(_("active"), default=True)
    keywords = models.TextField(
        _("keywords and phrases"),
        blank=True,
        help_text=_("One per line; any of them matches. Accents and capitals are ignored."),
    )
    pattern = models.CharField(
        _("regular expression"),
        max_length=500,
        blank=True,
        help_text=_("Optional; case-insensitive."),
        validators=[validate_pattern],
    )
    channel = models.ForeignKey(
        "channels.Channel",
        verbose_name=_("only on channel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
    )
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.ANY)
    author_list = models.ForeignKey(
        AuthorList,
        verbose_name=_("author in list"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rules",
    )
    sentiment_below = models.FloatField(
        _("sentiment at most"),
        null=True,
        blank=True,
        help_text=_("From -1 (very negative) to 1 (very positive); matches when the message scores this or lower."),
        validators=[MinValueValidator(-1), MaxValueValidator(1)],
    )
    category = models.ForeignKey(
        Category, verbose_name=_("set category"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(
        _("set priority"),
        null=True,
        blank=True,
        choices=[(1, _("low")), (2, _("normal")), (3, _("high")), (4, _("urgent"))],
    )
    tags = models.JSONField(_("add tags"), default=list, blank=True)
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("send to team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requires_reply = models.BooleanField(
        _("requires a reply"), null=True, blank=True, help_text=_("Empty: as the category says.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    # What the CM edits, in the order the pages and the API show it.
    EDITABLE = [
        "name",
        "position",
        "active",
        "keywords",
        "pattern",
        "channel",
        "visibility",
        "author_list",
        "sentiment_below",
        "category",
        "priority",
        "team",
        "requires_reply",
    ]

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]
