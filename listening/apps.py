from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListeningConfig(AppConfig):
    name = "listening"
    verbose_name = _("Listening")

    def ready(self) -> None:
        from inbox.services.ingest import on_engagement
        from listening.services import engagement_count

        # Likes and retweets of the account's posts arrive with the inbox's items; counted here.
        on_engagement(engagement_count)
