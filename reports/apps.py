from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from core.accounts import profile
        from reports.hooks import register_hooks
        from reports.views import email_choice_section

        register_hooks()
        profile.register(email_choice_section)
