from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: roles, permissions, database helpers, queuing, alerts."""

    name = "core"
    verbose_name = _("Core")
