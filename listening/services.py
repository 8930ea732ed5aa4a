"""Listening: running the watches' searches, and sending a result to the inbox.

A watch is an X search or an RSS/Atom feed (a blog, a news site, a forum, or a
search feed). Both go through one poll: claimed with a lease, the network
called outside any transaction, the results stored with the new cursor in one,
and on failure the error shown on the watch and the next try pushed back (the
network's ``Retry-After``, else longer after each failure in a row, up to
``settings.WATCH_MAX_BACKOFF_MINUTES``); the next success clears it. Feeds are
fetched conditionally (``ETag``/``Last-Modified``: a 304 stores nothing), and
entries match the watch's words as protocol keywords do (whole words, accents
and capitals ignored); each entry is stored once (by id/guid, else link).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from channels.connectors.base import ConnectorError, ContactRef, InboundItem
from channels.connectors.feed.client import feed_fetch
from channels.connectors.feed.parsing import FeedEntry, feed_parse
from channels.connectors.x.client import x_client, x_errors
from channels.connectors.x.parsing import tweet_url
from listening.models import Result, Watch
from protocols.matching import Condition, fold, match, words_of

logger = logging.getLogger(__name__)
MAX_PAGES = 5
LEASE = timedelta(minutes=10)


class SendRefused(Exception):
    pass


def watches_due(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Watch.objects.filter(active=True, channel__active=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .values_list("pk", flat=True)
    )


def watch_poll(*, watch_id: int, now: datetime | None = None) -> int:
    """Run one watch's search since its newest result, store what is new; returns how many.

    Claimed with a lease (like channel polls), so two workers never run it at
    once; a rate limit moves the next search past X's reset time; the cursor
    only moves when the results are stored.
    """
    now = now or timezone.now()
    claimed = (
        Watch.objects.filter(pk=watch_id, active=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .update(next_poll_at=now + LEASE)
    )
    if not claimed:
        return 0
    watch = Watch.objects.select_related("channel").get(pk=watch_id)
    if watch.source == Watch.Source.FEED:
        return _feed_poll(watch, now)
    try:
        pages = _search(watch)
    except ConnectorError as exc:
        _poll_failed(watch, exc, now)
        return 0
    results, newest = _results(watch, pages)
    with transaction.atomic():
        created = _store(watch, results)
        Watch.objects.filter(pk=watch.pk).update(
            since_id=newest or watch.since_id,
            last_polled_at=now,
            next_poll_at=now + timedelta(minutes=watch.interval_minutes),
            last_error="",
            failures=0,
        )
    return len(created)


def _store(watch: Watch, results: list[Result]) -> list[Result]:
    """Store the results not stored yet; return them (``ignore_conflicts`` alone
    would return every row, stored or not; it stays for a concurrent poll)."""
    if not results:
        return []
    known = set(
        Result.objects.filter(watch=watch, external_id__in=[r.external_id for r in results]).values_list(
            "external_id", flat=True
        )
    )
    fresh = list({r.external_id: r for r in results if r.external_id not in known}.values())
    return Result.objects.bulk_create(fresh, ignore_conflicts=True) if fresh else []


def watch_backoff(*, failures: int, permanent: bool) -> timedelta:
    """How long to wait after ``failures`` failed polls in a row: 5 minutes
    (an hour when the error will not go away by itself), doubled each time,
    at most ``settings.WATCH_MAX_BACKOFF_MINUTES``."""
    base = 60 if permanent else 5
    minutes = min(base * 2 ** min(max(failures - 1, 0), 16), settings.WATCH_MAX_BACKOFF_MINUTES)
    return timedelta(minutes=minutes)


def _poll_failed(watch: Watch, exc: ConnectorError, now: datetime) -> None:
    failures = watch.failures + 1
    wait = (
        timedelta(seconds=exc.retry_after)
        if exc.retry_after
        else watch_backoff(failures=failures, permanent=exc.permanent)
    )
    Watch.objects.filter(pk=watch.pk).update(
        last_error=exc.message[:2000], last_polled_at=now, next_poll_at=now + wait, failures=failures
    )


def _feed_poll(watch: Watch, now: datetime) -> int:
    """Fetch the watch's feed if it changed, store the entries that match; returns how many are new."""
    try:
        response = feed_fetch(watch.feed_url, etag=watch.etag, last_modified=watch.last_modified)
        report = None
        if not response.not_modified:
            report = feed_parse(response.body, content_type=response.content_type)
            if report.problem and not report.entries:
                raise ConnectorError(report.problem)
    except ConnectorError as exc:
        _poll_failed(watch, exc, now)
        return 0
    except Exception as exc:  # a bug or an unexpected answer: say why on the watch, try later
        logger.exception("Reading the feed of watch %s failed.", watch.pk)
        _poll_failed(watch, ConnectorError(f"{type(exc).__name__}: {exc}"), now)
        return 0
    results: list[Result] = []
    if report is not None:
        if report.problem or report.skipped:
            logger.warning(
                "Feed of watch %s read in part (%s; %d entries skipped: %s).",
                watch.pk,
                report.problem or "well-formed",
                len(report.skipped),
                "; ".join(report.skipped[:3]),
            )
        results = feed_results(watch=watch, entries=report.entries, site=report.title, now=now)
    with transaction.atomic():
        created = _store(watch, results)
        Watch.objects.filter(pk=watch.pk).update(
            etag=response.etag,
            last_modified=response.last_modified,
            last_polled_at=now,
            next_poll_at=now + timedelta(minutes=watch.interval_minutes),
            last_error="",
            failures=0,
        )
    return len(created)


def watch_keywords(watch: Watch) -> tuple[str, ...]:
    return tuple(line.strip() for line in watch.keywords.splitlines() if line.strip())


def feed_results(*, watch: Watch, entries: list[FeedEntry], site: str, now: datetime) -> list[Result]:
    """The entries that match the watch's words (all of them when it has none), as unsaved results."""
    condition = Condition(keywords=watch_keywords(watch))
    host = urlparse(watch.feed_url).hostname or ""
    results = []
    for entry in entries:
        text = f"{entry.title}\n{entry.text}"
        if condition.keywords:
            folded = fold(text)
            if (
                match(condition, text=text, channel_id=None, is_private=False, folded=folded, words=words_of(folded))
                is None
            ):
                continue
        author = entry.author or site or host
        results.append(
            Result(
                watch=watch,
                external_id=entry.digest,
                thread_id=hashlib.sha1((entry.link or entry.key).encode(), usedforsecurity=False).hexdigest(),
                author_id=hashlib.sha1(f"{host}\n{author}".encode(), usedforsecurity=False).hexdigest(),
                author_handle=author[:100],
                author_name=(site or host)[:200],
                title=entry.title,
                text=entry.text or entry.title,
                url=entry.link or watch.feed_url,
                written_at=entry.written_at or now,
                is_question="?" in text,
            )
        )
    return results


def _search(watch: Watch) -> list[dict]:
    client = x_client(watch.channel.credentials)
    pages, token = [], None
    with x_errors(f"searching “{watch.name}”"):
        for _ in range(MAX_PAGES):
            params = {
                "expansions": ["author_id"],
                "tweet_fields": ["created_at", "conversation_id", "author_id"],
                "user_fields": ["username", "name"],
                "max_results": 100,
            }
            if watch.since_id:
                params["since_id"] = watch.since_id
            if token:
                params["next_token"] = token
            page = client.search_recent_tweets(watch.query, **params)
            pages.append(page)
            token = page.get("meta", {}).get("next_token")
            if not token:
                break
    return pages


def _results(watch: Watch, pages: list[dict]) -> tuple[list[Result], str]:
    results, newest = [], ""
    for page in pages:
        users = {u["id"]: u for u in page.get("includes", {}).get("users", [])}
        newest = newest or page.get("meta", {}).get("newest_id", "")
        for tweet in page.get("data", []) or []:
            user = users.get(tweet.get("author_id"), {})
            handle = "@" + user.get("username", tweet.get("author_id", ""))
            text = tweet.get("text", "")
            results.append(
                Result(
                    watch=watch,
                    external_id=tweet["id"],
                    thread_id=tweet.get("conversation_id") or tweet["id"],
                    author_id=tweet.get("author_id", ""),
                    author_handle=handle,
                    author_name=user.get("name", ""),
                    text=text,
                    url=tweet_url(handle, tweet["id"]),
                    written_at=datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))
                    if tweet.get("created_at")
                    else timezone.now(),
                    is_question="?" in text,
                )
            )
    return results, newest


def _inbox_item(result: Result) -> InboundItem:
    if result.watch.source == Watch.Source.FEED:
        # A forum thread or blog post: one conversation per thread, its author as the contact.
        return InboundItem(
            external_id=f"feed:{result.external_id}",
            thread_key=f"feed-thread:{result.thread_id}",
            is_private=False,
            author=ContactRef(
                external_id=result.author_id,
                handle=result.author_handle,
                display_name=result.author_handle,
                profile_url=result.url if len(result.url) <= 500 else "",
            ),
            body=result.text,
            subject=result.title,
            created_at=result.written_at,
            parent_url=result.url,
        )
    return InboundItem(
        external_id=f"tweet:{result.external_id}",
        thread_key=f"x-thread:{result.thread_id}",
        is_private=False,
        author=ContactRef(
            external_id=result.author_id,
            handle=result.author_handle,
            display_name=result.author_name,
            profile_url=f"https://x.com/{result.author_handle.lstrip('@')}",
        ),
        body=result.text,
        created_at=result.written_at,
        parent_url=result.url,
    )


def result_send_to_inbox(*, result: Result, by):
    """Put a listening result in the inbox as a public conversation of the watch's
    channel (the X account; for feeds, the blogs and forums channel): the protocol
    classifies it, gives it a deadline, and it is assigned."""
    from inbox.models import Conversation
    from inbox.services.ingest import ReceivedItem, inbound_items_ingest

    with transaction.atomic():
        result = Result.objects.select_for_update().select_related("watch__channel").get(pk=result.pk)
        if result.conversation_id:
            raise SendRefused("Already in the inbox.")
        item = _inbox_item(result)
        channel = result.watch.channel
        messages = inbound_items_ingest(received=[ReceivedItem(channel, item, timezone.now())])
        conversation = (
            messages[0].conversation
            if messages
            else Conversation.objects.get(channel=channel, thread_key=item.thread_key)  # came in as a mention already
        )
        result.conversation, result.sent_by = conversation, by
        result.save(update_fields=["conversation", "sent_by"])
    return conversation


def engagement_count(rows) -> None:
    """Add likes and retweets to the per-day counters, in one statement.

    ``rows``: ``[(channel, kind, day, count)]`` from ingest (its ``on_engagement`` hook)."""
    from django.db import connection

    from listening.models import EngagementDay

    if not rows:
        return
    table = connection.ops.quote_name(EngagementDay._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params = [value for channel, kind, day, count in rows for value in (channel.pk, day, kind, count)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (channel_id, day, kind, count) VALUES {values} "  # noqa: S608 - names are ours
            "ON CONFLICT (channel_id, day, kind) DO UPDATE SET count = " + table + ".count + EXCLUDED.count",
            params,
        )
