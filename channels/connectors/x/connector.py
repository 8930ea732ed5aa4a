"""The X connector: polls mentions and direct messages, receives Account
Activity deliveries, replies in the thread or by DM."""

from __future__ import annotations

import hmac
import html
import json
import re
from dataclasses import replace
from datetime import UTC, datetime

from django.conf import settings
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from channels.connectors.base import (
    Connector,
    ConnectorError,
    FetchResult,
    InboundItem,
    MalformedPayload,
    OutboundAttachment,
    OutboundReply,
    ParseReport,
    SentReceipt,
    WebhookRejected,
    WebhookRequest,
)
from channels.connectors.signatures import hmac_sha256_base64
from channels.connectors.x.client import media_upload, x_client, x_errors
from channels.connectors.x.parsing import (
    Collected,
    activity_items,
    conversation_of,
    dm_items,
    mentions_items,
    tweet_url,
)

TWEET_FIELDS = [
    "author_id",
    "conversation_id",
    "created_at",
    "in_reply_to_user_id",
    "referenced_tweets",
    "entities",
    "attachments",
    "note_tweet",
]
USER_FIELDS = ["username", "name", "profile_image_url"]
MEDIA_FIELDS = ["media_key", "type", "url", "preview_image_url", "alt_text", "variants"]
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
        from channels.connectors.x.webhook import activity_account

        try:
            return activity_account(json.loads(body))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
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
        return self.parse_report(body, source="webhook").items

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        return self.parse_report(body, source="poll").items

    def parse_report(self, body: bytes, *, source: str) -> ParseReport:
        """Event by event: one that cannot be read is reported, never fatal. Only a
        body that is not a JSON object raises."""
        try:
            document = json.loads(body)
            if not isinstance(document, dict):
                raise TypeError(f"a {type(document).__name__}, not an object")
        except (ValueError, TypeError) as exc:
            kind = "an X poll batch" if source == "poll" else "an Account Activity delivery"
            raise MalformedPayload(f"Not {kind}: {exc!r}") from exc
        collected = Collected()
        if source == "poll":
            for page in document.get("mentions") or []:
                collected.guard(page, mentions_items, page, collected)
            for page in document.get("dms") or []:
                collected.guard(page, dm_items, page, own_id=self.user_id, collected=collected)
        else:
            activity_items(document, own_id=self.user_id, collected=collected)
        return ParseReport(items=collected.items, unparsed=collected.unparsed, revoked=collected.revoked)

    def complete_item(self, item: InboundItem) -> InboundItem | None:
        """An Account Activity reply's thread: ``GET /2/tweets/:id?tweet.fields=conversation_id``."""
        if not item.thread_pending:
            return item
        tweet_id = item.external_id.removeprefix("tweet:")
        with x_errors("looking up a tweet's thread"):
            response = x_client(self.credentials).get_tweet(tweet_id, tweet_fields=["conversation_id"])
        conversation = conversation_of(response)
        if not conversation:
            return None
        return replace(
            item,
            thread_key=f"x-thread:{conversation}",
            parent_url=tweet_url(item.author.handle, conversation),
            thread_pending=False,
        )

    def reply_image_allowed(self, *, private: bool) -> bool:
        return True

    # --- Polling

    def fetch_since(self, cursor: str) -> FetchResult:
        state = json.loads(cursor) if cursor else {}
        client = x_client(self.credentials)
        mentions, newest = [], state.get("mentions")
        with x_errors("reading mentions"):
            token = None
            for _ in range(MAX_PAGES):
                params = {
                    "expansions": ["author_id", "attachments.media_keys"],
                    "tweet_fields": TWEET_FIELDS,
                    "user_fields": USER_FIELDS,
                    "media_fields": MEDIA_FIELDS,
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
                    expansions=["sender_id", "attachments.media_keys"],
                    user_fields=USER_FIELDS,
                    media_fields=MEDIA_FIELDS,
                    max_results=100,
                    user_auth=True,
                )
            # DM events come newest first and take no since_id: keep what is newer than the cursor.
            seen = int(state.get("dms") or 0)
            fresh = [e for e in page.get("data", []) or [] if str(e.get("id", "")).isdigit() and int(e["id"]) > seen]
            if fresh:
                dms.append(page | {"data": fresh})
                newest_dm = str(max(int(e["id"]) for e in fresh))
        raw = json.dumps({"mentions": mentions, "dms": dms}).encode()
        count = sum(len(p.get("data") or []) for p in mentions) + sum(len(p["data"]) for p in dms)
        return FetchResult(raw=raw, cursor=json.dumps({"mentions": newest, "dms": newest_dm}), item_count=count)

    # --- Replies

    def send_reply(self, reply: OutboundReply) -> SentReceipt:
        problems = self.validate_reply(reply.body)
        if problems:
            raise ConnectorError(" ".join(problems), permanent=True)
        client = x_client(self.credentials)
        media_ids = [self._upload(attachment) for attachment in reply.attachments]
        if reply.is_private:
            with x_errors("sending a direct message"):
                response = client.create_direct_message(
                    participant_id=reply.recipient.external_id,
                    text=reply.body,
                    media_id=media_ids[0] if media_ids else None,
                    user_auth=True,
                )
            return SentReceipt(external_id=f"dm:{response['data']['dm_event_id']}")
        in_reply_to = (reply.in_reply_to or "").removeprefix("tweet:") or reply.thread_key.removeprefix("x-thread:")
        with x_errors("replying in the thread"):
            response = client.create_tweet(
                text=reply.body, in_reply_to_tweet_id=in_reply_to, media_ids=media_ids or None, user_auth=True
            )
        return SentReceipt(external_id=f"tweet:{response['data']['id']}")

    def find_sent(self, reply: OutboundReply, *, since: datetime) -> SentReceipt | None:
        """The account's own tweets (a reply in the thread) or DMs (to the person)
        since ``since`` with this reply's text."""
        client = x_client(self.credentials)
        start = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if reply.is_private:
            with x_errors("checking the direct messages sent"):
                page = client.get_direct_message_events(
                    event_types="MessageCreate",
                    dm_event_fields=["created_at", "sender_id", "dm_conversation_id", "text"],
                    max_results=100,
                    user_auth=True,
                )
            for event in page.get("data") or []:
                if (
                    str(event.get("sender_id")) == self.user_id
                    and reply.recipient.external_id in str(event.get("dm_conversation_id", ""))
                    and _same_text(event.get("text", ""), reply.body)
                    and (event.get("created_at") or start) >= start
                ):
                    return SentReceipt(external_id=f"dm:{event['id']}")
            return None
        in_reply_to = (reply.in_reply_to or "").removeprefix("tweet:") or reply.thread_key.removeprefix("x-thread:")
        with x_errors("checking the tweets sent"):
            page = client.get_users_tweets(
                self.user_id,
                start_time=start,
                tweet_fields=["created_at", "referenced_tweets"],
                max_results=100,
                user_auth=True,
            )
        for tweet in page.get("data") or []:
            references = tweet.get("referenced_tweets") or []
            answered = {ref.get("id") for ref in references if ref.get("type") == "replied_to"}
            if _same_text(tweet.get("text", ""), reply.body) and in_reply_to in answered:
                return SentReceipt(external_id=f"tweet:{tweet['id']}")
        return None

    def _upload(self, attachment: OutboundAttachment) -> str:
        """The image's bytes to X's media upload (``POST /2/media/upload``); its media id."""
        with x_errors("uploading an image"):
            return media_upload(
                self.credentials, data=_read(attachment), mime_type=attachment.mime_type or "image/jpeg"
            )


_URL = re.compile(r"https?://\S+")


def _same_text(posted: str, written: str) -> bool:
    """Whether X's copy of a text is ours: X shortens links (t.co) and escapes
    ``&<>``, so compare without links, entities or spacing."""

    def plain(text: str) -> str:
        return " ".join(_URL.sub("", html.unescape(text)).split())

    return plain(posted) == plain(written)


def _read(attachment: OutboundAttachment) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(attachment.storage_name, "rb") as handle:
        return handle.read()


def x_consumer_secret() -> str:
    return settings.X_CONSUMER_SECRET


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
