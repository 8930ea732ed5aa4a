from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Seed data for the demo, and the local fake network APIs; installed only
    in demo and test settings, never imported by the other apps."""

    name = "demo"
    verbose_name = _("Demo")
