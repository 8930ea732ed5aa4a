"""The registry of connectors: channel kind → (label, dotted path), imported lazily.

Model choices derive from it, so adding a network is one line here plus its package.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from channels.connectors.base import Connector
    from channels.models import Channel

CONNECTORS = {
    "web": (_("Website contact form"), "channels.connectors.web.connector.WebConnector"),
    "x": (_("X (Twitter)"), "channels.connectors.x.connector.XConnector"),
    "facebook": (_("Facebook Page and Messenger"), "channels.connectors.meta.connector.FacebookConnector"),
    "instagram": (_("Instagram"), "channels.connectors.meta.connector.InstagramConnector"),
    "fake": (_("Test channel"), "channels.connectors.fake.FakeConnector"),
}


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, label) for kind, (label, _path) in CONNECTORS.items()]


@cache
def connector_class(kind: str) -> type[Connector]:
    """Return the connector class for ``kind``; raises ``KeyError`` for an unknown kind."""
    return import_string(CONNECTORS[kind][1])


def connector_for(channel: Channel) -> Connector:
    return connector_class(channel.kind)(channel)
