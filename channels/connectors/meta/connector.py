"""Facebook Page (feed + Messenger) and Instagram connectors on the Graph API.

One Meta app posts every event for every page and account to one URL
(``channels.connectors.meta.webhook`` verifies and routes it); each
connector parses the entries of its own account and sends replies.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import ClassVar

from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from channels.connectors.base import (
    CannotTell,
    Connector,
    ConnectorError,
    ContactRef,
    FetchResult,
    InboundItem,
    ItemKind,
    MalformedPayload,
    OutboundReply,
    ParseReport,
    SentReceipt,
)
from channels.connectors.meta.graph import GraphClient
from channels.connectors.meta.parsing import (
    Collected,
    backfill_items,
    complete_mention,
    instagram_backfill_items,
    instagram_entry_items,
    page_entry_items,
    profile_ref,
)

BACKFILL_FIRST = 24 * 3600  # the first poll looks back a day
OVERLAP = 120  # each poll overlaps the last by two minutes; ingest drops what it has


class MetaAppEdges:
    """What every network on the Meta app shares: its one webhook URL and the
    Graph client with the channel's token. ``credential_owner`` names what the
    token belongs to, for the error."""

    credential_owner: ClassVar[str] = "account"
    credentials: dict

    @classmethod
    def webhook_urls(cls) -> list[URLPattern]:
        from channels.connectors.meta.webhook import meta_webhook

        return [path("meta/", meta_webhook, name="meta")]

    @classmethod
    def webhook_path(cls, channel) -> str:
        """The Meta app delivers every page, account and number to one URL."""
        return reverse("webhooks:meta")

    @property
    def graph(self) -> GraphClient:
        token = self.credentials.get("access_token", "")
        if not token:
            raise ConnectorError(f"No access token for this {self.credential_owner}.", permanent=True)
        return GraphClient(token)


class MetaConnector(MetaAppEdges, Connector):
    supports_webhooks = True
    supports_hiding = True
    supports_private_reply = True
    # Messenger's and Instagram's standard messaging window after the person's last message.
    reply_window: ClassVar[timedelta | None] = timedelta(hours=24)
    max_reply_length = 2000
    # The ``object`` of the Meta app deliveries for this network (the app webhook routes by it).
    meta_object: ClassVar[str] = ""
    prefix = ""  # "fb" or "ig": the start of message ids and private thread keys
    comment_prefix = ""
    setup_form = "channels.connectors.meta.forms.MetaChannelForm"

    @classmethod
    def meta_routes(cls, entries: list) -> Iterator[tuple[str, dict]]:
        """(account id, entry) for each entry of a delivery: Pages and Instagram by the entry's id."""
        for entry in entries:
            yield str(entry.get("id")) if isinstance(entry, dict) else "None", entry

    @classmethod
    def delivery_account(cls, body: bytes) -> str:
        """A stored Meta delivery holds the entries of one account (split on arrival)."""
        try:
            return str(json.loads(body)["entry"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError, RecursionError):
            return ""

    @property
    def account_id(self) -> str:
        return str(self.channel.external_account_id)

    # Senders of private messages are only ids: names come from their profile.
    fetches_profiles: ClassVar[bool] = True
    profile_fields = ""

    def parse_webhook(self, body: bytes) -> list[InboundItem]:
        return self.parse_report(body, source="webhook").items

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        return self.parse_report(body, source="poll").items

    def parse_report(self, body: bytes, *, source: str) -> ParseReport:
        """Every entry and event on its own: one that cannot be read is reported, never fatal.
        Only a body that is not a JSON object with the expected list raises."""
        try:
            document = json.loads(body)
            entries = document["entry"] if source != "poll" else None
            if source == "poll" and not isinstance(document, dict):
                raise TypeError("a poll batch is an object")
            if entries is not None and not isinstance(entries, list):
                raise TypeError("entry is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedPayload(f"Not a Meta {'backfill' if source == 'poll' else 'delivery'}: {exc!r}") from exc
        collected = Collected()
        if source == "poll" or entries is None:
            self.poll_items(document, collected)
        else:
            for entry in entries:
                if isinstance(entry, dict):
                    self.entry_items(entry, collected)
                else:
                    collected.guard(entry, _not_an_entry, entry)
        return ParseReport(items=collected.items, unparsed=collected.unparsed)

    def entry_items(self, entry: dict, collected: Collected) -> None:
        raise NotImplementedError

    def poll_items(self, batch: dict, collected: Collected) -> None:
        raise NotImplementedError

    def fetch_profile(self, external_id: str) -> ContactRef | None:
        """The person's name (Messenger: first and last; Instagram: name and username)."""
        if not external_id.isdigit():
            return None  # unknown authors and usernames have no profile to read
        return profile_ref(external_id, self.graph.get(external_id, {"fields": self.profile_fields}))

    def reply_image_allowed(self, *, private: bool) -> bool:
        return True  # Messenger and Instagram Direct send images by URL; Page comments hold one photo

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
            sent = self._private_message({"id": user}, reply.body, reply.attachments)
            return SentReceipt(external_id=f"{self.prefix}-mid:{sent}")
        return self.public_reply(reply, target_kind, target)

    def public_reply(self, reply: OutboundReply, target_kind: str, target: str) -> SentReceipt:
        raise NotImplementedError

    # The Graph API's ``platform`` for the account's conversations (Instagram's differ).
    conversations_platform = ""

    def find_sent(self, reply: OutboundReply, *, since: datetime) -> SentReceipt | None:
        """The page's or account's own messages to the person, or its own replies
        under the comment, since ``since`` with this reply's text. A private reply
        to a comment cannot be looked up (its recipient has no id yet)."""
        target_kind, _sep, target = reply.in_reply_to.partition(":")
        if reply.private_reply:
            raise CannotTell("A private reply to a comment cannot be looked up.")
        if reply.is_private:
            user = reply.thread_key.removeprefix(f"{self.prefix}-user:")
            params = {"user_id": user, "fields": "messages.limit(25){id,message,from,created_time}"}
            if self.conversations_platform:
                params["platform"] = self.conversations_platform
            conversations = self.graph.get(f"{self.account_id}/conversations", params).get("data") or []
            for conversation in conversations:
                for message in (conversation.get("messages") or {}).get("data") or []:
                    if self._ours(message, message.get("message", ""), reply.body, since):
                        return SentReceipt(external_id=f"{self.prefix}-mid:{message['id']}")
            return None
        return self.find_public_reply(reply, target_kind, target, since)

    def find_public_reply(
        self, reply: OutboundReply, target_kind: str, target: str, since: datetime
    ) -> SentReceipt | None:
        raise CannotTell("No public reply to look for.")

    def _ours(self, node: dict, text: str, body: str, since: datetime) -> bool:
        """The node was written by this account, with this text, at or after ``since``."""
        author = str((node.get("from") or {}).get("id", ""))
        written = node.get("created_time") or node.get("timestamp") or ""
        try:
            at = datetime.strptime(written, "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            at = since  # no time given: the text and author decide
        return author == self.account_id and " ".join(text.split()) == " ".join(body.split()) and at >= since

    def _private_message(self, recipient: dict, text: str, attachments=()) -> str:
        """The text, then each image as its own message (the Send API takes one
        attachment per message, by URL); returns the text's message id."""
        first = ""
        for attachment in attachments:
            response = self.graph.post(
                f"{self.account_id}/messages",
                {
                    "recipient": recipient,
                    "messaging_type": "RESPONSE",
                    "message": {
                        "attachment": {"type": "image", "payload": {"url": attachment.url, "is_reusable": False}}
                    },
                },
            )
            first = first or response["message_id"]
        if text or not first:
            response = self.graph.post(
                f"{self.account_id}/messages",
                {"recipient": recipient, "messaging_type": "RESPONSE", "message": {"text": text}},
            )
            return response["message_id"]
        return first


class FacebookConnector(MetaConnector):
    kind = "facebook"
    meta_object = "page"
    setup_title = _("Connect a Facebook Page")
    prefix = "fb"
    comment_prefix = "fb-comment"
    # Backfill: what the webhook missed while it was down arrives within 10 minutes.
    supports_polling = True
    poll_interval = 600

    profile_fields = "first_name,last_name,profile_pic"

    def entry_items(self, entry: dict, collected: Collected) -> None:
        page_entry_items(entry, collected)

    def poll_items(self, batch: dict, collected: Collected) -> None:
        backfill_items(batch, own_id=self.account_id, collected=collected)

    def fetch_since(self, cursor: str) -> FetchResult:
        """Recent posts with their comments, and Messenger conversations, updated since the cursor."""
        since = int(cursor or time.time() - BACKFILL_FIRST)
        now = int(time.time())
        feed = self.graph.get(
            f"{self.account_id}/feed",
            {
                "fields": "id,message,from,created_time,comments.limit(100){id,message,from,created_time,attachment}",
                "since": since,
            },
        )
        conversations = self.graph.get(
            f"{self.account_id}/conversations",
            {"fields": "messages.limit(25){id,message,from,created_time,attachments}", "since": since},
        )
        raw = {"feed": feed.get("data", []), "conversations": conversations.get("data", [])}
        items = self.parse_poll(json.dumps(raw).encode())
        return FetchResult(raw=json.dumps(raw).encode(), cursor=str(now - OVERLAP), item_count=len(items))

    def find_public_reply(
        self, reply: OutboundReply, target_kind: str, target: str, since: datetime
    ) -> SentReceipt | None:
        parent = target if target_kind in ("fb-comment", "fb-post") else reply.thread_key.removeprefix("fb-post:")
        params = {"fields": "id,message,from,created_time", "order": "reverse_chronological", "limit": "50"}
        for comment in self.graph.get(f"{parent}/comments", params).get("data") or []:
            if self._ours(comment, comment.get("message", ""), reply.body, since):
                return SentReceipt(external_id=f"fb-comment:{comment['id']}")
        return None

    def public_reply(self, reply: OutboundReply, target_kind: str, target: str) -> SentReceipt:
        parent = target if target_kind in ("fb-comment", "fb-post") else reply.thread_key.removeprefix("fb-post:")
        payload = {"message": reply.body}
        if reply.attachments:
            payload["attachment_url"] = reply.attachments[0].url  # a comment holds one photo
        response = self.graph.post(f"{parent}/comments", payload)
        return SentReceipt(external_id=f"fb-comment:{response['id']}")


class InstagramConnector(MetaConnector):
    kind = "instagram"
    meta_object = "instagram"
    setup_title = _("Connect an Instagram account")
    prefix = "ig"
    comment_prefix = "ig-comment"
    max_reply_length = 1000
    supports_polling = True
    poll_interval = 600

    profile_fields = "name,username,profile_pic"

    def entry_items(self, entry: dict, collected: Collected) -> None:
        instagram_entry_items(entry, collected)

    def poll_items(self, batch: dict, collected: Collected) -> None:
        instagram_backfill_items(batch, own_id=self.account_id, collected=collected)

    def reply_image_allowed(self, *, private: bool) -> bool:
        return private  # Instagram comment replies are text only

    def complete_item(self, item: InboundItem) -> InboundItem | None:
        """A mention's comment or caption, read with the account's token."""
        if item.kind != ItemKind.MENTION:
            return super().complete_item(item)
        prefix, _sep, ident = item.external_id.partition(":")
        if prefix == "ig-comment":
            fields = f"mentioned_comment.comment_id({ident}){{id,text,username,timestamp,media{{id,permalink}}}}"
        else:
            fields = (
                f"mentioned_media.media_id({ident})"
                "{id,caption,username,timestamp,media_type,media_url,thumbnail_url,permalink}"
            )
        return complete_mention(item, self.graph.get(self.account_id, {"fields": fields}))

    def fetch_since(self, cursor: str) -> FetchResult:
        """Recent media with their comments, and Instagram Direct conversations, since the cursor."""
        since = int(cursor or time.time() - BACKFILL_FIRST)
        now = int(time.time())
        media = self.graph.get(
            f"{self.account_id}/media", {"fields": "id,comments.limit(100){id,text,from,timestamp}", "since": since}
        )
        conversations = self.graph.get(
            f"{self.account_id}/conversations",
            {
                "platform": "instagram",
                "fields": "messages.limit(25){id,message,from,created_time,attachments}",
                "since": since,
            },
        )
        raw = json.dumps({"media": media.get("data", []), "conversations": conversations.get("data", [])}).encode()
        return FetchResult(raw=raw, cursor=str(now - OVERLAP), item_count=len(self.parse_poll(raw)))

    conversations_platform = "instagram"

    def find_public_reply(
        self, reply: OutboundReply, target_kind: str, target: str, since: datetime
    ) -> SentReceipt | None:
        if target_kind != "ig-comment":
            raise CannotTell("No comment to look under.")
        params = {"fields": "id,text,from,timestamp"}
        for comment in self.graph.get(f"{target}/replies", params).get("data") or []:
            if self._ours(comment, comment.get("text", ""), reply.body, since):
                return SentReceipt(external_id=f"ig-comment:{comment['id']}")
        return None

    def public_reply(self, reply: OutboundReply, target_kind: str, target: str) -> SentReceipt:
        if target_kind != "ig-comment":
            raise ConnectorError("Instagram replies answer a comment.", permanent=True)
        response = self.graph.post(f"{target}/replies", {"message": reply.body})
        return SentReceipt(external_id=f"ig-comment:{response['id']}")


def _not_an_entry(entry) -> None:
    raise TypeError(f"an entry is an object, not {type(entry).__name__}")
