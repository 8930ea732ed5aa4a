"""The registry of connectors: channel kind → (label, dotted path), imported lazily.

Model choices, the webhook routes, the set-up pages and the API derive from it,
so adding a network is one line here plus its package. Connectors that exist
for tests and the demo only (the fake one) come from
``settings.MOSTRADOR_EXTRA_CONNECTORS``.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from channels.connectors.base import Connector
    from channels.models import Channel

CONNECTORS: dict[str, tuple[Promise, str]] = {
    "web": (_("Website contact form"), "channels.connectors.web.connector.WebConnector"),
    "x": (_("X (Twitter)"), "channels.connectors.x.connector.XConnector"),
    "facebook": (_("Facebook Page and Messenger"), "channels.connectors.meta.connector.FacebookConnector"),
    "instagram": (_("Instagram"), "channels.connectors.meta.connector.InstagramConnector"),
    "whatsapp": (_("WhatsApp Business"), "channels.connectors.whatsapp.connector.WhatsAppConnector"),
    "email": (_("E-mail inbox"), "channels.connectors.email.connector.EmailConnector"),
    "google_reviews": (
        _("Google Business Profile reviews"),
        "channels.connectors.gbp.connector.GoogleReviewsConnector",
    ),
    "youtube": (_("YouTube comments"), "channels.connectors.youtube.connector.YouTubeConnector"),
    "feed": (_("Blogs, news and forums"), "channels.connectors.feed.connector.FeedConnector"),
}


def connectors() -> dict[str, tuple[Promise, str]]:
    """Every registered kind: the real networks and the settings' extra ones."""
    return {**CONNECTORS, **getattr(settings, "MOSTRADOR_EXTRA_CONNECTORS", {})}


def kinds() -> list[str]:
    return list(connectors())


def kind_choices() -> list[tuple[str, Promise]]:
    return [(kind, label) for kind, (label, _path) in connectors().items()]


@cache
def _load(path: str) -> type[Connector]:
    return import_string(path)


def connector_class(kind: str) -> type[Connector]:
    """Return the connector class for ``kind``; raises ``KeyError`` for an unknown kind."""
    return _load(connectors()[kind][1])


def connector_for(channel: Channel) -> Connector:
    return connector_class(channel.kind)(channel)
