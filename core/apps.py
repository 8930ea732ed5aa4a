from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: roles, permissions, database helpers, queuing, alerts."""

    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from core.admin_permissions import grant_admin_permissions

        # After every app's permissions exist (they are made on post_migrate too).
        post_migrate.connect(grant_admin_permissions, dispatch_uid="mostrador-grant-admin-permissions")
