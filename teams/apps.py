from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Teams")

    def ready(self) -> None:
        from inbox.people import set_provider
        from teams.hooks import register_hooks
        from teams.selectors import people_staffing

        register_hooks()
        set_provider(people_staffing)
