"""Listening: running the watches' searches, and sending a result to the inbox."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from channels.connectors.base import ConnectorError, ContactRef, InboundItem
from channels.connectors.x.client import x_client, x_errors
from channels.connectors.x.parsing import tweet_url
from listening.models import Result, Watch

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
    try:
        pages = _search(watch)
    except ConnectorError as exc:
        wait = exc.retry_after or (3600 if exc.permanent else 300)
        Watch.objects.filter(pk=watch.pk).update(
            last_error=exc.message[:2000], last_polled_at=now, next_poll_at=now + timedelta(seconds=wait)
        )
        return 0
    results, newest = _results(watch, pages)
    with transaction.atomic():
        created = Result.objects.bulk_create(results, ignore_conflicts=True)
        Watch.objects.filter(pk=watch.pk).update(
            since_id=newest or watch.since_id,
            last_polled_at=now,
            next_poll_at=now + timedelta(minutes=watch.interval_minutes),
            last_error="",
        )
    return len(created)


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


def result_send_to_inbox(*, result: Result, by):
    """Put a listening result in the inbox as a public conversation of the watch's X
    account: the protocol classifies it, gives it a deadline, and it is assigned."""
    from inbox.models import Conversation
    from inbox.services.ingest import ReceivedItem, inbound_items_ingest

    with transaction.atomic():
        result = Result.objects.select_for_update().select_related("watch__channel").get(pk=result.pk)
        if result.conversation_id:
            raise SendRefused("Already in the inbox.")
        item = InboundItem(
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
