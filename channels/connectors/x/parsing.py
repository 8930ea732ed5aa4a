"""X payloads → normalized items: v2 mentions and DM events (polling) and
Account Activity deliveries (webhooks). Both paths give a tweet or a DM the
same external id, so ingest keeps each once whichever arrives first."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from channels.connectors.base import ContactRef, InboundItem


def _user_ref(user: dict | None, user_id: str) -> ContactRef:
    user = user or {}
    handle = user.get("username") or user.get("screen_name") or user_id
    return ContactRef(
        external_id=str(user_id),
        handle=f"@{handle}" if not str(handle).startswith("@") else handle,
        display_name=user.get("name", ""),
        profile_url=f"https://x.com/{handle}" if handle != user_id else "",
    )


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def tweet_url(handle: str, tweet_id: str) -> str:
    return f"https://x.com/{handle.lstrip('@')}/status/{tweet_id}"


def mentions_items(page: dict) -> list[InboundItem]:
    """One page of ``GET /2/users/:id/mentions`` with ``expansions=author_id``."""
    users = {u["id"]: u for u in page.get("includes", {}).get("users", [])}
    items = []
    for tweet in page.get("data", []) or []:
        author = _user_ref(users.get(tweet.get("author_id")), tweet.get("author_id", ""))
        conversation = tweet.get("conversation_id") or tweet["id"]
        items.append(
            InboundItem(
                external_id=f"tweet:{tweet['id']}",
                thread_key=f"x-thread:{conversation}",
                is_private=False,
                author=author,
                body=tweet.get("text", ""),
                created_at=_iso(tweet.get("created_at")),
                parent_url=tweet_url(author.handle, conversation),
            )
        )
    return items


def dm_items(page: dict, *, own_id: str) -> list[InboundItem]:
    """One page of ``GET /2/dm_events``; the account's own messages are not inbound."""
    users = {u["id"]: u for u in page.get("includes", {}).get("users", [])}
    items = []
    for event in page.get("data", []) or []:
        if event.get("event_type") != "MessageCreate" or event.get("sender_id") == own_id:
            continue
        sender = event["sender_id"]
        items.append(
            InboundItem(
                external_id=f"dm:{event['id']}",
                thread_key=f"x-dm:{sender}",
                is_private=True,
                author=_user_ref(users.get(sender), sender),
                body=event.get("text", ""),
                created_at=_iso(event.get("created_at")),
                attachments=tuple({"media_key": key} for key in event.get("attachments", {}).get("media_keys", [])),
            )
        )
    return items


def activity_items(delivery: dict, *, own_id: str) -> list[InboundItem]:
    """An Account Activity delivery: ``tweet_create_events`` and ``direct_message_events``."""
    items = []
    for tweet in delivery.get("tweet_create_events", []) or []:
        user = tweet.get("user", {})
        if user.get("id_str") == own_id:
            continue  # the account's own tweet: an echo of a reply
        author = _user_ref(user, user.get("id_str", ""))
        conversation = tweet.get("in_reply_to_status_id_str") or tweet["id_str"]
        created = tweet.get("created_at")
        items.append(
            InboundItem(
                external_id=f"tweet:{tweet['id_str']}",
                thread_key=f"x-thread:{conversation}",
                is_private=False,
                author=author,
                body=tweet.get("extended_tweet", {}).get("full_text") or tweet.get("text", ""),
                created_at=parsedate_to_datetime(created) if created else None,
                parent_url=tweet_url(author.handle, conversation),
            )
        )
    users = delivery.get("users", {}) or {}
    for event in delivery.get("direct_message_events", []) or []:
        if event.get("type") != "message_create":
            continue
        create = event["message_create"]
        sender = create.get("sender_id", "")
        if sender == own_id:
            continue
        stamp = event.get("created_timestamp")
        items.append(
            InboundItem(
                external_id=f"dm:{event['id']}",
                thread_key=f"x-dm:{sender}",
                is_private=True,
                author=_user_ref(users.get(sender), sender),
                body=create.get("message_data", {}).get("text", ""),
                created_at=datetime.fromtimestamp(int(stamp) / 1000, tz=UTC) if stamp else None,
            )
        )
    return items
