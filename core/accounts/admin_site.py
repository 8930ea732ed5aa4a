"""The admin site asks the second factor of the accounts that have one."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django_otp import user_has_device


class MostradorAdminSite(AdminSite):
    """Like django-otp's OTPAdminSite, but a staff user without a device (who
    is not required to have one) still gets in with the password alone; one
    with a device only once the session gave a code."""

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        user = request.user
        verified = getattr(user, "is_verified", None)
        return bool(verified and verified()) or not user_has_device(user, confirmed=True)


class MostradorAdminConfig(AdminConfig):
    default_site = "core.accounts.admin_site.MostradorAdminSite"
