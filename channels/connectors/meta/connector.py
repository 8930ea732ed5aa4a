"""Facebook Page (feed + Messenger) and Instagram connectors on the Graph API.

One Meta app posts every event for every page and account to one URL
(``channels.connectors.meta.webhook`` verifies and routes it); each
connector parses the entries of its own account and sends replies.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import ClassVar

from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from channels.connectors.base import (
    Connector,
    ConnectorError,
    FetchResult,
    InboundItem,
    MalformedPayload,
    OutboundReply,
    SentReceipt,
)
from channels.connectors.meta.graph import GraphClient
from channels.connectors.meta.parsing import (
    backfill_items,
    instagram_backfill_items,
    instagram_entry_items,
    page_entry_items,
)

BACKFILL_FIRST = 24 * 3600  # the first poll looks back a day
OVERLAP = 120  # each poll overlaps the last by two minutes; ingest drops what it has


class MetaConnector(Connector):
    supports_webhooks = True
    supports_hiding = True
    # Messenger's and Instagram's standard messaging window after the person's last message.
    reply_window: ClassVar[timedelta | None] = timedelta(hours=24)
    max_reply_length = 2000
    prefix = ""  # "fb" or "ig": the start of message ids and private thread keys
    comment_prefix = ""
    setup_form = "channels.connectors.meta.forms.MetaChannelForm"

    @classmethod
    def webhook_urls(cls) -> list[URLPattern]:
        from channels.connectors.meta.webhook import meta_webhook

        return [path("meta/", meta_webhook, name="meta")]

    @classmethod
    def webhook_path(cls, channel) -> str:
        """The Meta app delivers every page and account to one URL."""
        return reverse("webhooks:meta")

    @classmethod
    def delivery_account(cls, body: bytes) -> str:
        """A stored Meta delivery holds the entries of one account (split on arrival)."""
        try:
            return str(json.loads(body)["entry"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError, RecursionError):
            return ""

    @property
    def graph(self) -> GraphClient:
        token = self.credentials.get("access_token", "")
        if not token:
            raise ConnectorError("No access token for this account.", permanent=True)
        return GraphClient(token)

    @property
    def account_id(self) -> str:
        return str(self.channel.external_account_id)

    def parse_webhook(self, body: bytes) -> list[InboundItem]:
        try:
            delivery = json.loads(body)
            return [item for entry in delivery["entry"] for item in self.entry_items(entry)]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedPayload(f"Not a Meta delivery: {exc!r}") from exc

    def entry_items(self, entry: dict) -> list[InboundItem]:
        raise NotImplementedError

    def hide_item(self, external_id: str, *, hidden: bool = True) -> None:
        """Hide (or show again) a public comment on the network; it stays in Mostrador."""
        prefix, _sep, comment_id = external_id.partition(":")
        if prefix != self.comment_prefix:
            raise ConnectorError("Only comments can be hidden.", permanent=True)
        self.graph.post(comment_id, {"is_hidden": hidden})

    def send_reply(self, reply: OutboundReply) -> SentReceipt:
        target_kind, _sep, target = reply.in_reply_to.partition(":")
        if reply.private_reply:
            # A private reply to a public comment: it arrives in the person's inbox (Messenger, Instagram Direct).
            if target_kind != self.comment_prefix:
                raise ConnectorError("A private reply needs a comment to answer.", permanent=True)
            return SentReceipt(
                external_id=f"{self.prefix}-mid:{self._private_message({'comment_id': target}, reply.body)}"
            )
        if reply.is_private:
            user = reply.thread_key.removeprefix(f"{self.prefix}-user:")
            return SentReceipt(external_id=f"{self.prefix}-mid:{self._private_message({'id': user}, reply.body)}")
        return self.public_reply(reply, target_kind, target)

    def public_reply(self, reply: OutboundReply, target_kind: str, target: str) -> SentReceipt:
        raise NotImplementedError

    def _private_message(self, recipient: dict, text: str) -> str:
        response = self.graph.post(
            f"{self.account_id}/messages",
            {"recipient": recipient, "messaging_type": "RESPONSE", "message": {"text": text}},
        )
        return response["message_id"]


class FacebookConnector(MetaConnector):
    kind = "facebook"
    setup_title = _("Connect a Facebook Page")
    prefix = "fb"
    comment_prefix = "fb-comment"
    # Backfill: what the webhook missed while it was down arrives within 10 minutes.
    supports_polling = True
    poll_interval = 600

    def entry_items(self, entry: dict) -> list[InboundItem]:
        return page_entry_items(entry)

    def fetch_since(self, cursor: str) -> FetchResult:
        """Recent posts with their comments, and Messenger conversations, updated since the cursor."""
        since = int(cursor or time.time() - BACKFILL_FIRST)
        now = int(time.time())
        feed = self.graph.get(
            f"{self.account_id}/feed",
            {
                "fields": "id,message,from,created_time,comments.limit(100){id,message,from,created_time}",
                "since": since,
            },
        )
        conversations = self.graph.get(
            f"{self.account_id}/conversations",
            {"fields": "messages.limit(25){id,message,from,created_time}", "since": since},
        )
        raw = {"feed": feed.get("data", []), "conversations": conversations.get("data", [])}
        items = self.parse_poll(json.dumps(raw).encode())
        return FetchResult(raw=json.dumps(raw).encode(), cursor=str(now - OVERLAP), item_count=len(items))

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        try:
            return backfill_items(json.loads(body), own_id=self.account_id)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedPayload(f"Not a Graph API backfill: {exc!r}") from exc

    def public_reply(self, reply: OutboundReply, target_kind: str, target: str) -> SentReceipt:
        parent = target if target_kind in ("fb-comment", "fb-post") else reply.thread_key.removeprefix("fb-post:")
        response = self.graph.post(f"{parent}/comments", {"message": reply.body})
        return SentReceipt(external_id=f"fb-comment:{response['id']}")


class InstagramConnector(MetaConnector):
    kind = "instagram"
    setup_title = _("Connect an Instagram account")
    prefix = "ig"
    comment_prefix = "ig-comment"
    max_reply_length = 1000
    supports_polling = True
    poll_interval = 600

    def entry_items(self, entry: dict) -> list[InboundItem]:
        return instagram_entry_items(entry)

    def fetch_since(self, cursor: str) -> FetchResult:
        """Recent media with their comments, and Instagram Direct conversations, since the cursor."""
        since = int(cursor or time.time() - BACKFILL_FIRST)
        now = int(time.time())
        media = self.graph.get(
            f"{self.account_id}/media", {"fields": "id,comments.limit(100){id,text,from,timestamp}", "since": since}
        )
        conversations = self.graph.get(
            f"{self.account_id}/conversations",
            {"platform": "instagram", "fields": "messages.limit(25){id,message,from,created_time}", "since": since},
        )
        raw = json.dumps({"media": media.get("data", []), "conversations": conversations.get("data", [])}).encode()
        return FetchResult(raw=raw, cursor=str(now - OVERLAP), item_count=len(self.parse_poll(raw)))

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        try:
            return instagram_backfill_items(json.loads(body), own_id=self.account_id)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedPayload(f"Not a Graph API backfill: {exc!r}") from exc

    def public_reply(self, reply: OutboundReply, target_kind: str, target: str) -> SentReceipt:
        if target_kind != "ig-comment":
            raise ConnectorError("Instagram replies answer a comment.", permanent=True)
        response = self.graph.post(f"{target}/replies", {"message": reply.body})
        return SentReceipt(external_id=f"ig-comment:{response['id']}")
