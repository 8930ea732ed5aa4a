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
        self._forget_choices_on_change()
        # Deliveries stored by the channels are drained into conversations.
        on_accepted(drain_schedule)

    @staticmethod
    def _forget_choices_on_change() -> None:
        """The filter bars' choices (``selectors.inbox_choices``) follow their sources."""
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from inbox.models import Conversation
        from inbox.selectors import inbox_choices_forget

        user = get_user_model()
        # protocols.Category through the conversation's lazy reference: inbox does not import protocols.
        category = Conversation._meta.get_field("category").related_model
        channel = Conversation._meta.get_field("channel").related_model
        for model in (channel, category, user):
            name = model.__name__
            post_save.connect(inbox_choices_forget, sender=model, dispatch_uid=f"inbox-choices-save-{name}")
            post_delete.connect(inbox_choices_forget, sender=model, dispatch_uid=f"inbox-choices-delete-{name}")
        m2m_changed.connect(inbox_choices_forget, sender=user.groups.through, dispatch_uid="inbox-choices-groups")
