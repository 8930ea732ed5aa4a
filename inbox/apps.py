from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        from channels.inbound import on_accepted
        from core.alerts import late_provider_register
        from inbox.selectors import late_lines
        from inbox.services.ingest import drain_schedule

        late_provider_register(late_lines)
        # Deliveries stored by the channels are drained into conversations.
        on_accepted(drain_schedule)
