"""X payloads → normalized items: v2 mentions and DM events (polling) and
Account Activity deliveries (webhooks). Both paths give a tweet or a DM the
same external id, so ingest keeps each once whichever arrives first, and the
same thread (``x-thread:<conversation_id>``).

What each event becomes (the README's "X" section lists the same):

- a tweet mentioning or replying to the account (v2 mention, Account Activity
  ``tweet_create_events``): a public message in the thread of its root
  (``conversation_id``; an Account Activity reply names only the tweet it
  answers, so ingest finds the thread from that tweet or asks the API);
  text unescaped (``&amp;`` → ``&``), t.co links expanded, media
  (``extended_entities``, v2 ``includes.media``) as attachments;
- a retweet of the account's tweet: counted for listening (``retweet`` item),
  not a message; the account's own tweets: echoes, nothing;
- ``favorite_events`` on the account's tweets: counted (``like`` item);
- ``tweet_delete_events``: the stored message is removed by its author;
- a direct message (v2 ``MessageCreate``, Account Activity ``message_create``):
  a private message with its media; the account's own: nothing;
- ``user_event`` revoke: ``revoked`` in the parse report (the channel is
  disabled and the CM alerted);
- follows, unfollows, blocks, mutes, typing and read indicators: acknowledged,
  nothing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from channels.connectors.base import ContactRef, InboundItem, ItemKind, UnparsedItem, attachment_dict

# Account Activity keys that are not events, and events that are acknowledged.
ENVELOPE_KEYS = {"for_user_id", "users", "apps", "is_blocked_by", "user_has_blocked", "source", "target"}
ACKNOWLEDGED_EVENTS = {
    "follow_events",
    "unfollow_events",
    "block_events",
    "unblock_events",
    "mute_events",
    "unmute_events",
    "direct_message_indicate_typing_events",
    "direct_message_mark_read_events",
    "favorite_events_undo",
}


class Collected:
    """Items, unparsed entries and the revoke flag gathered from one body."""

    def __init__(self) -> None:
        self.items: list[InboundItem] = []
        self.unparsed: list[UnparsedItem] = []
        self.revoked = False

    def guard(self, raw, parse: Callable[..., InboundItem | None], *args, **kwargs) -> None:
        """Run ``parse(*args, **kwargs)`` for one entry; what it cannot read becomes an unparsed item."""
        try:
            item = parse(*args, **kwargs)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.unparsed.append(
                UnparsedItem(reason=f"{type(exc).__name__}: {exc}", raw=raw if isinstance(raw, dict) else str(raw))
            )
            return
        if item is not None:
            self.items.append(item)


def _user_ref(user: dict | None, user_id: str) -> ContactRef:
    user = user or {}
    handle = user.get("username") or user.get("screen_name") or user_id
    return ContactRef(
        external_id=str(user_id),
        handle=f"@{handle}" if not str(handle).startswith("@") else handle,
        display_name=user.get("name") or "",
        profile_url=f"https://x.com/{handle}" if handle != user_id else "",
        picture_url=user.get("profile_image_url_https") or user.get("profile_image_url") or "",
    )


def _author(user: dict | None, user_id: str | None, item_id: str) -> ContactRef:
    """The author, or, when the payload names none, an unknown person of this item alone."""
    if not user_id:
        return ContactRef(external_id=f"unknown:{item_id}")
    return _user_ref(user, str(user_id))


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _v1_time(value: str | None) -> datetime | None:
    """``Wed Oct 10 20:19:24 +0000 2018``."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")


def _ms(value) -> datetime | None:
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC) if value not in (None, "") else None


def tweet_url(handle: str, tweet_id: str) -> str:
    return f"https://x.com/{handle.lstrip('@')}/status/{tweet_id}"


def clean_text(text: str, urls: list[dict] | None, media_urls: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """HTML entities unescaped, t.co links replaced by where they lead, media links dropped
    (the media are attachments)."""
    for entity in urls or []:
        short = entity.get("url")
        if not short:
            continue
        expanded = entity.get("unwound_url") or entity.get("expanded_url") or short
        text = text.replace(short, "" if short in media_urls else expanded)
    for short in media_urls:
        text = text.replace(short, "")
    return re.sub(r"[ \t]{2,}", " ", html.unescape(text)).strip()


# --- Media


def v1_media(media: dict) -> dict:
    """A v1.1 media entity (``extended_entities.media[]`` or a DM attachment)."""
    kind = media.get("type") or "photo"
    picture = media.get("media_url_https") or media.get("media_url") or ""
    if kind == "photo":
        return attachment_dict("image", url=picture, title=media.get("ext_alt_text") or "", network_type=kind)
    variants = (media.get("video_info") or {}).get("variants") or []
    best = _best_variant(variants)
    return attachment_dict(
        "gif" if kind == "animated_gif" else "video",
        url=best.get("url") or media.get("expanded_url") or "",
        preview_url=picture,
        mime_type=best.get("content_type") or "",
        network_type=kind,
    )


def v2_media(media: dict) -> dict:
    """A v2 ``includes.media`` object."""
    kind = media.get("type") or "photo"
    if kind == "photo":
        return attachment_dict(
            "image", url=media.get("url") or "", title=media.get("alt_text") or "", network_type=kind
        )
    best = _best_variant(media.get("variants") or [])
    return attachment_dict(
        "gif" if kind == "animated_gif" else "video",
        url=best.get("url") or "",
        preview_url=media.get("preview_image_url") or "",
        mime_type=best.get("content_type") or "",
        title=media.get("alt_text") or "",
        network_type=kind,
    )


def _best_variant(variants: list[dict]) -> dict:
    mp4 = [v for v in variants if v.get("content_type") == "video/mp4"]
    if mp4:
        return max(mp4, key=lambda v: v.get("bitrate") or v.get("bit_rate") or 0)
    return variants[0] if variants else {}


# --- v2 (polling)


def _includes(page: dict) -> tuple[dict, dict]:
    includes = page.get("includes") or {}
    users = {u["id"]: u for u in includes.get("users") or [] if isinstance(u, dict) and "id" in u}
    media = {m["media_key"]: m for m in includes.get("media") or [] if isinstance(m, dict) and "media_key" in m}
    return users, media


def mentions_items(page: dict, collected: Collected) -> None:
    """One page of ``GET /2/users/:id/mentions`` with ``expansions=author_id,attachments.media_keys``."""
    users, media = _includes(page)
    for tweet in page.get("data") or []:
        collected.guard(tweet, _v2_tweet, tweet, users, media)


def _v2_tweet(tweet: dict, users: dict, media: dict) -> InboundItem:
    tweet_id = str(tweet["id"])
    author = _author(users.get(tweet.get("author_id")), tweet.get("author_id"), f"tweet:{tweet_id}")
    references = {r.get("type"): str(r.get("id")) for r in tweet.get("referenced_tweets") or [] if isinstance(r, dict)}
    if "retweeted" in references:
        return InboundItem(
            external_id=f"retweet:{tweet_id}",
            thread_key=f"x-thread:{references['retweeted']}",
            is_private=False,
            author=author,
            body="",
            created_at=_iso(tweet.get("created_at")),
            kind=ItemKind.RETWEET,
        )
    conversation = str(tweet.get("conversation_id") or tweet_id)
    note = tweet.get("note_tweet") or {}
    text = note.get("text") or tweet.get("text") or ""
    entities = note.get("entities") or tweet.get("entities") or {}
    attachments = [
        v2_media(media[key]) for key in (tweet.get("attachments") or {}).get("media_keys") or [] if key in media
    ]
    media_links = {u["url"] for u in entities.get("urls") or [] if u.get("media_key") and u.get("url")}
    return InboundItem(
        external_id=f"tweet:{tweet_id}",
        thread_key=f"x-thread:{conversation}",
        is_private=False,
        author=author,
        body=clean_text(text, entities.get("urls"), media_links),
        created_at=_iso(tweet.get("created_at")),
        parent_url=tweet_url(author.handle, conversation),
        attachments=tuple(attachments),
        in_reply_to=f"tweet:{references['replied_to']}" if "replied_to" in references else "",
    )


def dm_items(page: dict, *, own_id: str, collected: Collected) -> None:
    """One page of ``GET /2/dm_events``; the account's own messages are not inbound."""
    users, media = _includes(page)
    for event in page.get("data") or []:
        collected.guard(event, _v2_dm, event, users, media, own_id)


def _v2_dm(event: dict, users: dict, media: dict, own_id: str) -> InboundItem | None:
    if event.get("event_type") != "MessageCreate":
        return None  # participants joining or leaving a group
    sender = event.get("sender_id")
    if sender == own_id:
        return None
    if not sender:
        raise KeyError("sender_id")
    attachments = [
        v2_media(media[key]) for key in (event.get("attachments") or {}).get("media_keys") or [] if key in media
    ]
    text = event.get("text") or ""
    if not text and not attachments:
        raise ValueError("direct message with neither text nor media")
    return InboundItem(
        external_id=f"dm:{event['id']}",
        thread_key=f"x-dm:{sender}",
        is_private=True,
        author=_user_ref(users.get(sender), sender),
        body=html.unescape(text),
        created_at=_iso(event.get("created_at")),
        attachments=tuple(attachments),
    )


def conversation_of(response: dict) -> str:
    """``GET /2/tweets/:id?tweet.fields=conversation_id`` → the root id ("" when gone)."""
    data = response.get("data") or {}
    return str(data.get("conversation_id") or "")


# --- Account Activity (webhooks)


def activity_items(delivery: dict, *, own_id: str, collected: Collected) -> None:
    """An Account Activity delivery, event by event."""
    users = delivery.get("users") or {}
    for key, events in delivery.items():
        if key in ENVELOPE_KEYS or key in ACKNOWLEDGED_EVENTS:
            continue
        if key == "user_event":
            if isinstance(events, dict) and "revoke" in events:
                collected.revoked = True
            continue
        if key == "tweet_create_events":
            for tweet in events or []:
                collected.guard(tweet, _activity_tweet, tweet, own_id)
        elif key == "favorite_events":
            for event in events or []:
                collected.guard(event, _activity_like, event, own_id)
        elif key == "tweet_delete_events":
            for event in events or []:
                collected.guard(event, _activity_delete, event, own_id)
        elif key == "direct_message_events":
            for event in events or []:
                collected.guard(event, _activity_dm, event, users, own_id)
        else:
            collected.unparsed.append(
                UnparsedItem(reason=f"Account Activity event not handled: {key}", raw={key: events})
            )


def _activity_tweet(tweet: dict, own_id: str) -> InboundItem | None:
    user = tweet.get("user") or {}
    user_id = str(user.get("id_str") or user.get("id") or "")
    if user_id == own_id:
        return None  # the account's own tweet: an echo of a reply
    tweet_id = str(tweet.get("id_str") or tweet["id"])
    author = _author(user, user_id, f"tweet:{tweet_id}")
    retweeted = tweet.get("retweeted_status")
    if retweeted:
        original = str(retweeted.get("id_str") or retweeted.get("id"))
        return InboundItem(
            external_id=f"retweet:{tweet_id}",
            thread_key=f"x-thread:{original}",
            is_private=False,
            author=author,
            body="",
            created_at=_v1_time(tweet.get("created_at")),
            kind=ItemKind.RETWEET,
        )
    extended = tweet.get("extended_tweet") or {}
    text = extended.get("full_text") or tweet.get("full_text") or tweet.get("text") or ""
    entities = extended.get("entities") or tweet.get("entities") or {}
    media = (
        (extended.get("extended_entities") or tweet.get("extended_entities") or {}).get("media")
        or entities.get("media")
        or []
    )
    media_links = {m.get("url") for m in media if m.get("url")}
    replied = str(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id") or "")
    conversation = str(tweet.get("conversation_id_str") or tweet.get("conversation_id") or "")
    thread = conversation or replied or tweet_id
    return InboundItem(
        external_id=f"tweet:{tweet_id}",
        thread_key=f"x-thread:{thread}",
        is_private=False,
        author=author,
        body=clean_text(text, entities.get("urls"), media_links),
        created_at=_v1_time(tweet.get("created_at")) or _ms(tweet.get("timestamp_ms")),
        parent_url=tweet_url(author.handle, thread),
        attachments=tuple(v1_media(m) for m in media),
        in_reply_to=f"tweet:{replied}" if replied else "",
        # A reply without its root: ingest files it with the tweet it answers, or asks the API.
        thread_pending=bool(replied) and not conversation,
    )


def _activity_like(event: dict, own_id: str) -> InboundItem | None:
    status = event.get("favorited_status") or {}
    owner = str((status.get("user") or {}).get("id_str") or "")
    liker = event.get("user") or {}
    liker_id = str(liker.get("id_str") or liker.get("id") or "")
    if owner != own_id or liker_id == own_id:
        return None  # the account liking someone else's tweet
    return InboundItem(
        external_id=f"like:{event.get('id') or liker_id + '-' + str(status.get('id_str'))}",
        thread_key=f"x-thread:{status.get('id_str')}",
        is_private=False,
        author=_author(liker, liker_id, f"like:{event.get('id')}"),
        body="",
        created_at=_ms(event.get("timestamp_ms")) or _v1_time(event.get("created_at")),
        kind=ItemKind.LIKE,
    )


def _activity_delete(event: dict, own_id: str) -> InboundItem | None:
    status = event["status"]
    user_id = str(status.get("user_id") or "")
    if user_id == own_id:
        return None  # the account deleting its own tweet
    tweet_id = str(status["id"])
    return InboundItem(
        external_id=f"tweet:{tweet_id}",
        thread_key=f"x-thread:{tweet_id}",
        is_private=False,
        author=_author(None, user_id, f"tweet:{tweet_id}"),
        body="",
        created_at=_ms(event.get("timestamp_ms")),
        change="removed",
    )


def _activity_dm(event: dict, users: dict, own_id: str) -> InboundItem | None:
    if event.get("type") != "message_create":
        return None
    create = event["message_create"]
    sender = str(create.get("sender_id") or "")
    if sender == own_id:
        return None
    if not sender:
        raise KeyError("message_create.sender_id")
    data = create.get("message_data") or {}
    attachment = data.get("attachment") or {}
    media = attachment.get("media") if attachment.get("type") == "media" else None
    attachments = (v1_media(media),) if media else ()
    media_links = {media.get("url")} if media and media.get("url") else set()
    text = clean_text(data.get("text") or "", (data.get("entities") or {}).get("urls"), media_links)
    if not text and not attachments:
        raise ValueError("direct message with neither text nor media")
    return InboundItem(
        external_id=f"dm:{event['id']}",
        thread_key=f"x-dm:{sender}",
        is_private=True,
        author=_user_ref(users.get(sender), sender),
        body=text,
        created_at=_ms(event.get("created_timestamp")),
        attachments=attachments,
    )
