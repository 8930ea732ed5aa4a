from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from django.core import checks

        from channels.crypto import credentials_key_check, credentials_key_deploy_check

        # Refuse to start when stored credentials cannot be decrypted (see the check).
        checks.register(credentials_key_check)
        checks.register(credentials_key_deploy_check, deploy=True)
