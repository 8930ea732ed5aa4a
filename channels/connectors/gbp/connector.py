"""Google Business Profile reviews: polled, answered publicly with the owner's reply.

Polling goes through the shared poller (``channels.polling``) every ten
minutes. Each poll lists the location's reviews newest change first
(``accounts.locations.reviews.list``, ``orderBy=updateTime desc``, 50 a
page) and compares them with the cursor, a small JSON object: ``since`` (the
newest ``updateTime`` seen) and ``ids`` (every review id seen). A review not
in ``ids`` is new; a known one changed after ``since`` was edited by its
author (the message is updated and the edit is an event; the earlier text is
kept); a known one missing from a complete listing was deleted on Google and
is marked removed, never deleted here. The first poll brings the reviews of
the last ``FIRST_POLL_DAYS`` days into the inbox and only records the older
ones. What changed is stored raw (the reviews as Google gave them) as one
poll event; the drain parses it.

A reply is ``PUT …/reviews/{id}/reply`` with ``{"comment": …}``: Google keeps
one reply per review, so a second reply replaces the first on Google (both
stay in Mostrador's history). The PUT is idempotent, so an interrupted send
can simply go again.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import ClassVar

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
from channels.connectors.gbp.parsing import THREAD_PREFIX, parse_time, removed_item, review_item
from channels.connectors.google.client import GoogleClient, business_url

PAGE_SIZE = 50  # the API's maximum for reviews.list
MAX_PAGES = 40  # 2,000 reviews a poll; beyond that deletions are not looked for
FIRST_POLL_DAYS = 30
MAX_REPLY_BYTES = 4096  # Google's limit on a reply's comment


class GoogleReviewsConnector(Connector):
    kind = "google_reviews"
    supports_polling = True
    poll_interval = 600
    max_reply_length = MAX_REPLY_BYTES
    resend_is_safe: ClassVar[bool] = True
    setup_form = "channels.connectors.gbp.forms.GoogleReviewsChannelForm"
    setup_title = _("Connect Google Business Profile reviews")

    @property
    def location(self) -> str:
        """The location's resource name, ``accounts/{account}/locations/{location}``."""
        name = (self.channel.external_account_id or "").strip().strip("/")
        if not name.startswith("accounts/") or "/locations/" not in name:
            raise ConnectorError("The location must read accounts/{account}/locations/{location}.", permanent=True)
        return name

    def _client(self) -> GoogleClient:
        return GoogleClient(self.credentials)

    def _list(self, client: GoogleClient) -> tuple[list[dict], dict, bool]:
        """Every review (newest change first), the first page's summary, whether the listing is complete."""
        reviews: list[dict] = []
        summary: dict = {}
        token = ""
        for _page in range(MAX_PAGES):
            params = {"pageSize": PAGE_SIZE, "orderBy": "updateTime desc"}
            if token:
                params["pageToken"] = token
            page = client.call(
                "GET", f"{business_url()}/v4/{self.location}/reviews", params=params, action="listing reviews"
            )
            if not summary:
                summary = {k: page.get(k) for k in ("averageRating", "totalReviewCount")}
            reviews.extend(r for r in page.get("reviews") or [] if isinstance(r, dict))
            token = page.get("nextPageToken") or ""
            if not token:
                return reviews, summary, True
        return reviews, summary, False

    def fetch_since(self, cursor: str) -> FetchResult:
        state = _cursor(cursor)
        known: set[str] = set(state["ids"])
        since = parse_time(state["since"]) if state["since"] else None
        first = not known and not since
        oldest = timezone.now() - timedelta(days=FIRST_POLL_DAYS)
        reviews, summary, complete = self._list(self._client())
        changed: list[dict] = []
        newest = since
        seen: set[str] = set()
        for review in reviews:
            review_id = str(review.get("reviewId") or "")
            try:
                updated_at = parse_time(review.get("updateTime") or review.get("createTime"))
            except ValueError:
                updated_at = None
            if updated_at is not None and (newest is None or updated_at > newest):
                newest = updated_at
            if not review_id:
                changed.append({"review": review, "change": ""})  # kept as unparsed, shown to the CM
                continue
            seen.add(review_id)
            if review_id not in known:
                if first and updated_at is not None and updated_at < oldest:
                    continue  # history before Mostrador: recorded, not brought in
                changed.append({"review": review, "change": ""})
            elif since is None or (updated_at is not None and updated_at > since):
                changed.append({"review": review, "change": "edited"})
        removed = sorted(known - seen) if complete else []
        ids = sorted(seen if complete else known | seen)
        batch = {"location": self.location, **summary, "reviews": changed, "removed": removed}
        next_cursor = json.dumps({"since": newest.isoformat() if newest else "", "ids": ids}, separators=(",", ":"))
        return FetchResult(raw=json.dumps(batch).encode(), cursor=next_cursor, item_count=len(changed) + len(removed))

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        return self.parse_report(body, source="poll").items

    def parse_report(self, body: bytes, *, source: str) -> ParseReport:
        try:
            batch = json.loads(body)
            entries = list(batch["reviews"])
            removed = [str(review_id) for review_id in batch.get("removed") or []]
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedPayload(f"Not a reviews batch: {exc!r}") from exc
        items, unparsed = [], []
        for entry in entries:
            try:
                items.append(review_item(entry["review"], change=entry.get("change") or ""))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                unparsed.append(UnparsedItem(reason=f"{type(exc).__name__}: {exc}", raw=entry))
        items.extend(removed_item(review_id) for review_id in removed)
        return ParseReport(items=items, unparsed=unparsed)

    def _review_name(self, reply: OutboundReply) -> str:
        review_id = reply.thread_key.removeprefix(THREAD_PREFIX)
        if not review_id or review_id == reply.thread_key:
            raise ConnectorError("Not a review conversation.", permanent=True)
        return f"{self.location}/reviews/{review_id}"

    def send_reply(self, reply: OutboundReply) -> SentReceipt:
        name = self._review_name(reply)
        answer = self._client().call(
            "PUT", f"{business_url()}/v4/{name}/reply", json={"comment": reply.body}, action="replying to a review"
        )
        return SentReceipt(external_id=f"{name.rsplit('/', 1)[-1]}:reply:{answer.get('updateTime') or ''}")

    def find_sent(self, reply: OutboundReply, *, since) -> SentReceipt | None:
        name = self._review_name(reply)
        review = self._client().call("GET", f"{business_url()}/v4/{name}", action="reading a review")
        answer = review.get("reviewReply") or {}
        if answer.get("comment") == reply.body:
            return SentReceipt(external_id=f"{name.rsplit('/', 1)[-1]}:reply:{answer.get('updateTime') or ''}")
        return None

    def validate_reply(self, body: str) -> list[str]:
        size = len(body.encode())
        if size > MAX_REPLY_BYTES:
            return [f"Too long for a Google review reply: {size} of {MAX_REPLY_BYTES} bytes."]
        return []


def _cursor(cursor: str) -> dict:
    if not cursor:
        return {"since": "", "ids": []}
    try:
        state = json.loads(cursor)
        return {"since": str(state.get("since") or ""), "ids": [str(i) for i in state.get("ids") or []]}
    except (ValueError, AttributeError):
        return {"since": "", "ids": []}
