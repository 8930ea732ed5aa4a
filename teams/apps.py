from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Teams")

    def ready(self) -> None:
        from teams.permissions_setup import grant_admin_permissions

        # After every app's permissions exist (they are made on post_migrate too).
        post_migrate.connect(grant_admin_permissions, dispatch_uid="mostrador-grant-admin-permissions")
