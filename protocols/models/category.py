from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """What an inbound item is about: complaint, query, suggestion, comment, crisis."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    colour = models.CharField(_("colour"), max_length=7, default="#64748b")
    priority = models.PositiveSmallIntegerField(_("priority"), default=2)
    requires_reply = models.BooleanField(_("requires a reply"), default=True)
    # The manual's page for this category.
    handling = models.TextField(_("how to handle it"), blank=True)
    examples = models.TextField(_("examples"), blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["-priority", "name"]

    def __str__(self) -> str:
        return self.name
