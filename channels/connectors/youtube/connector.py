"""YouTube comments on the brand's channel: polled, answered as the channel, hidden by moderation.

Polling goes through the shared poller every fifteen minutes (one
``commentThreads.list`` costs one unit of the 10,000 a day a project gets):
``allThreadsRelatedToChannelId`` (every video of the channel),
``part=snippet,replies``, ``textFormat=plainText``, 100 a page, newest first,
until a page holds nothing newer than the cursor (the newest ``updatedAt``
seen). A comment published after the cursor is new; one updated after it is
an edit (the message is updated, the earlier text kept in the event). The
channel's own comments are our replies and are not brought in. The first poll
brings the last ``FIRST_POLL_DAYS`` days. A spent daily quota (403
``quotaExceeded``) waits until YouTube resets it at midnight Pacific time.

A reply is ``comments.insert`` with ``snippet.parentId`` = the thread's id,
posted as the channel whose OAuth token we hold. Hiding is
``comments.setModerationStatus`` with ``heldForReview`` (``published`` shows
it again): YouTube keeps the comment, and Mostrador never deletes one.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels.connectors.base import (
    Connector,
    ConnectorError,
    FetchResult,
    InboundItem,
    MalformedPayload,
    OutboundReply,
    ParseReport,
    SentReceipt,
    UnparsedItem,
)
from channels.connectors.gbp.parsing import parse_time
from channels.connectors.google.client import GoogleClient, youtube_url
from channels.connectors.youtube.parsing import THREAD_PREFIX, comment_item, thread_comments

PAGE_SIZE = 100  # the API's maximum for commentThreads.list
MAX_PAGES = 5
FIRST_POLL_DAYS = 30


class YouTubeConnector(Connector):
    kind = "youtube"
    supports_polling = True
    poll_interval = 900
    max_reply_length = 10_000
    supports_hiding = True
    setup_form = "channels.connectors.youtube.forms.YouTubeChannelForm"
    setup_title = _("Connect a YouTube channel")

    def _client(self) -> GoogleClient:
        return GoogleClient(self.credentials)

    @property
    def channel_id(self) -> str:
        channel_id = (self.channel.external_account_id or "").strip()
        if not channel_id:
            raise ConnectorError("No YouTube channel id set up.", permanent=True)
        return channel_id

    def fetch_since(self, cursor: str) -> FetchResult:
        since = None
        if cursor:
            try:
                since = parse_time(cursor)
            except ValueError:
                since = None
        floor = since or timezone.now() - timedelta(days=FIRST_POLL_DAYS)
        client = self._client()
        threads: list[dict] = []
        newest = since
        token = ""
        for _page in range(MAX_PAGES):
            params = {
                "part": "snippet,replies",
                "allThreadsRelatedToChannelId": self.channel_id,
                "maxResults": PAGE_SIZE,
                "order": "time",
                "textFormat": "plainText",
            }
            if token:
                params["pageToken"] = token
            page = client.call("GET", f"{youtube_url()}/commentThreads", params=params, action="listing comments")
            fresh_on_page = False
            for thread in page.get("items") or []:
                if not isinstance(thread, dict):
                    continue
                times = [_updated(c) for c in thread_comments(thread)]
                latest = max((t for t in times if t is not None), default=None)
                if latest is None or latest > floor:
                    threads.append(thread)
                    fresh_on_page = True
                if latest is not None and (newest is None or latest > newest):
                    newest = latest
            token = page.get("nextPageToken") or ""
            if not token or not fresh_on_page:
                break
        batch = {"channel_id": self.channel_id, "since": floor.isoformat(), "items": threads}
        next_cursor = newest.isoformat() if newest else cursor
        return FetchResult(raw=json.dumps(batch).encode(), cursor=next_cursor, item_count=len(threads))

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        return self.parse_report(body, source="poll").items

    def parse_report(self, body: bytes, *, source: str) -> ParseReport:
        try:
            batch = json.loads(body)
            threads = list(batch["items"])
            floor = parse_time(batch.get("since"))
            own = str(batch.get("channel_id") or self.channel.external_account_id)
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedPayload(f"Not a comment threads batch: {exc!r}") from exc
        items, unparsed = [], []
        for thread in threads:
            try:
                thread_id = str(thread["id"])
                for comment in thread_comments(thread):
                    snippet = comment.get("snippet") or {}
                    if (snippet.get("authorChannelId") or {}).get("value") == own:
                        continue  # the channel's own reply: sent from Mostrador or on YouTube
                    published, updated = parse_time(snippet.get("publishedAt")), _updated(comment)
                    if floor is not None and published is not None and published <= floor:
                        if updated is None or updated <= floor:
                            continue  # already brought in, unchanged
                        items.append(comment_item(comment, thread_id=thread_id, change="edited"))
                    else:
                        items.append(comment_item(comment, thread_id=thread_id))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                unparsed.append(UnparsedItem(reason=f"{type(exc).__name__}: {exc}", raw=thread))
        return ParseReport(items=items, unparsed=unparsed)

    def send_reply(self, reply: OutboundReply) -> SentReceipt:
        thread_id = reply.thread_key.removeprefix(THREAD_PREFIX)
        if not thread_id or thread_id == reply.thread_key:
            raise ConnectorError("Not a YouTube comment thread.", permanent=True)
        comment = self._client().call(
            "POST",
            f"{youtube_url()}/comments",
            params={"part": "snippet"},
            json={"snippet": {"parentId": thread_id, "textOriginal": reply.body}},
            action="replying to a comment",
        )
        if not comment.get("id"):
            raise ConnectorError("YouTube gave no id for the reply.")
        return SentReceipt(external_id=str(comment["id"]))

    def hide_item(self, external_id: str, *, hidden: bool = True) -> None:
        self._client().call(
            "POST",
            f"{youtube_url()}/comments/setModerationStatus",
            params={"id": external_id, "moderationStatus": "heldForReview" if hidden else "published"},
            action="hiding a comment" if hidden else "showing a comment again",
        )


def _updated(comment: dict):
    snippet = comment.get("snippet") or {}
    try:
        return parse_time(snippet.get("updatedAt") or snippet.get("publishedAt"))
    except ValueError:
        return None
