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

        # What pages remember of a user is forgotten when it changes (core/memo.py).
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from core.memo import forget_devices, forget_roles

        user_model = get_user_model()
        m2m_changed.connect(forget_roles, sender=user_model.groups.through, dispatch_uid="memo-roles-groups")
        post_save.connect(forget_roles, sender=user_model, dispatch_uid="memo-roles-user")
        for device in (TOTPDevice, StaticDevice):
            post_save.connect(forget_devices, sender=device, dispatch_uid=f"memo-devices-save-{device.__name__}")
            post_delete.connect(forget_devices, sender=device, dispatch_uid=f"memo-devices-delete-{device.__name__}")
