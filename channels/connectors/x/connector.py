"""The X connector: polls mentions and direct messages, receives Account
Activity deliveries, replies in the thread or by DM."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
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
    WebhookRejected,
    WebhookRequest,
)
from channels.connectors.signatures import hmac_sha256_base64
from channels.connectors.x.client import x_client, x_errors
from channels.connectors.x.parsing import activity_items, dm_items, mentions_items

TWEET_FIELDS = ["author_id", "conversation_id", "created_at", "in_reply_to_user_id", "referenced_tweets"]
USER_FIELDS = ["username", "name"]
MAX_PAGES = 10  # per poll: 1,000 mentions; the rest comes next poll, from the cursor


class XConnector(Connector):
    kind = "x"
    supports_webhooks = True
    supports_polling = True
    poll_interval = 120
    max_reply_length = 280
    setup_form = "channels.connectors.x.forms.XChannelForm"
    setup_title = _("Connect an X account")

    @classmethod
    def webhook_urls(cls) -> list[URLPattern]:
        from channels.connectors.x.webhook import x_webhook

        return [path("x/", x_webhook, name="x")]

    @classmethod
    def webhook_path(cls, channel) -> str:
        """Account Activity delivers every account of the app to one URL."""
        return reverse("webhooks:x")

    @classmethod
    def delivery_account(cls, body: bytes) -> str:
        try:
            return str(json.loads(body).get("for_user_id") or "")
        except (ValueError, AttributeError, RecursionError):
            return ""

    @property
    def user_id(self) -> str:
        return str(self.channel.external_account_id or self.credentials.get("user_id", ""))

    # --- Webhooks (Account Activity): the app-level endpoint verifies, this parses.

    def verify_webhook(self, request: WebhookRequest) -> None:
        self.verify_signature(request)

    @staticmethod
    def verify_signature(request: WebhookRequest) -> None:
        """The app signs every delivery with its consumer secret (one URL for all accounts)."""
        header = {k.lower(): v for k, v in request.headers.items()}.get("x-twitter-webhooks-signature", "")
        secret = x_consumer_secret()
        if not secret or not header or not _same(header, "sha256=" + hmac_sha256_base64(secret, request.body)):
            raise WebhookRejected("Missing or wrong x-twitter-webhooks-signature.")

    @staticmethod
    def crc_response(crc_token: str) -> str:
        """The answer to X's challenge-response check: ``sha256=<base64 HMAC of the token>``."""
        return "sha256=" + hmac_sha256_base64(x_consumer_secret(), crc_token.encode())

    def parse_webhook(self, body: bytes) -> list[InboundItem]:
        try:
            return activity_items(json.loads(body), own_id=self.user_id)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedPayload(f"Not an Account Activity delivery: {exc!r}") from exc

    # --- Polling

    def fetch_since(self, cursor: str) -> FetchResult:
        state = json.loads(cursor) if cursor else {}
        client = x_client(self.credentials)
        mentions, newest = [], state.get("mentions")
        with x_errors("reading mentions"):
            token = None
            for _ in range(MAX_PAGES):
                params = {
                    "expansions": ["author_id"],
                    "tweet_fields": TWEET_FIELDS,
                    "user_fields": USER_FIELDS,
                    "max_results": 100,
                }
                if state.get("mentions"):
                    params["since_id"] = state["mentions"]
                if token:
                    params["pagination_token"] = token
                page = client.get_users_mentions(self.user_id, **params)
                mentions.append(page)
                meta = page.get("meta", {})
                if token is None and meta.get("newest_id"):
                    newest = meta["newest_id"]
                token = meta.get("next_token")
                if not token:
                    break
        dms, newest_dm = [], state.get("dms")
        if self.credentials.get("access_token"):
            with x_errors("reading direct messages"):
                page = client.get_direct_message_events(
                    dm_event_fields=["id", "event_type", "text", "sender_id", "created_at", "attachments"],
                    expansions=["sender_id"],
                    user_fields=USER_FIELDS,
                    max_results=100,
                    user_auth=True,
                )
            # DM events come newest first and take no since_id: keep what is newer than the cursor.
            seen = int(state.get("dms") or 0)
            fresh = [e for e in page.get("data", []) or [] if int(e["id"]) > seen]
            if fresh:
                dms.append(page | {"data": fresh})
                newest_dm = str(max(int(e["id"]) for e in fresh))
        raw = json.dumps({"mentions": mentions, "dms": dms}).encode()
        count = sum(len(p.get("data") or []) for p in mentions) + sum(len(p["data"]) for p in dms)
        return FetchResult(raw=raw, cursor=json.dumps({"mentions": newest, "dms": newest_dm}), item_count=count)

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        try:
            batch = json.loads(body)
            items = [item for page in batch.get("mentions", []) for item in mentions_items(page)]
            items += [item for page in batch.get("dms", []) for item in dm_items(page, own_id=self.user_id)]
            return items
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedPayload(f"Not an X poll batch: {exc!r}") from exc

    # --- Replies

    def send_reply(self, reply: OutboundReply) -> SentReceipt:
        problems = self.validate_reply(reply.body)
        if problems:
            raise ConnectorError(" ".join(problems), permanent=True)
        client = x_client(self.credentials)
        if reply.is_private:
            with x_errors("sending a direct message"):
                response = client.create_direct_message(
                    participant_id=reply.recipient.external_id, text=reply.body, user_auth=True
                )
            return SentReceipt(external_id=f"dm:{response['data']['dm_event_id']}")
        in_reply_to = (reply.in_reply_to or "").removeprefix("tweet:") or reply.thread_key.removeprefix("x-thread:")
        with x_errors("replying in the thread"):
            response = client.create_tweet(text=reply.body, in_reply_to_tweet_id=in_reply_to, user_auth=True)
        return SentReceipt(external_id=f"tweet:{response['data']['id']}")


def x_consumer_secret() -> str:
    return settings.X_CONSUMER_SECRET


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
