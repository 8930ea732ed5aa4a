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
        self._forget_weeks_on_change()

    @staticmethod
    def _forget_weeks_on_change() -> None:
        """The rota weeks kept in the cache (``selectors.rota_week``) follow what they show."""
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from channels.models import Channel
        from teams.models import Absence, ExtraShift, Member, PublicHoliday, Shift, Team
        from teams.selectors import rota_forget

        for model in (Shift, ExtraShift, Absence, PublicHoliday, Member, Team, Channel, get_user_model()):
            name = model.__name__
            post_save.connect(rota_forget, sender=model, dispatch_uid=f"rota-week-save-{name}")
            post_delete.connect(rota_forget, sender=model, dispatch_uid=f"rota-week-delete-{name}")
        for through in (Team.members.through, Team.channels.through):
            m2m_changed.connect(rota_forget, sender=through, dispatch_uid=f"rota-week-m2m-{through.__name__}")
