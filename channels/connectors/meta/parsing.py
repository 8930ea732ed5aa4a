"""Meta webhook entries → normalized items, as Meta documents them.

Each entry's events are parsed one by one: an event that cannot be understood
becomes an ``UnparsedItem`` with its reason and never costs its neighbours.
What each event becomes (the README's "Meta" section lists the same):

Page ``feed`` changes
    comment, post, status, photo, video, share with verb ``add``: a public
    message in the post's thread, with its photo, video or link as an
    attachment (a photo-only comment is a message with an empty body and the
    photo); ``edited`` and ``remove``: the message is edited or removed;
    reaction, like, hide and unhide: acknowledged, no item; the page's own
    comments: echoes, no item.
``messaging`` and ``standby`` events (Messenger and Instagram Direct)
    message: a private message with its text and attachments (image, video,
    audio, file, sticker, share, story mention, story reply, reel, post,
    location, fallback, template, product); quick replies: their title
    (the message's text); ``is_deleted``: the message is removed (unsent);
    ``is_unsupported`` or empty: unparsed, never an empty message;
    ``message_edit``: the message is edited; postback: a message whose text
    is the button's title; pass/take thread control: a handover item (a note
    in the conversation); read, delivery, reaction, referral, optin, request
    thread control, typing: acknowledged, no item; echoes: no item.
    ``standby`` events (another app holds the thread) are kept the same way.
Instagram ``comments``/``live_comments``
    a public message in the media's thread.
Instagram ``mentions``
    a mention item: the mentioning comment or caption is fetched from the
    Graph API before it is stored (``complete_mention``).
Instagram ``story_insights``: acknowledged, no item.
``changes`` whose ``field`` is a messaging field (``messages``,
``messaging_postbacks``…, as the dashboard's test button and Instagram Login
apps send them) are parsed as messaging events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from channels.connectors.base import ContactRef, InboundItem, ItemKind, UnparsedItem, attachment_dict

FEED_VERBS = {"add": "", "edited": "edited", "remove": "removed"}
FEED_ITEMS = ("comment", "post", "status", "photo", "video", "share")
# Feed changes that are not items: reactions and likes, the page hiding comments.
FEED_ACKNOWLEDGED_ITEMS = ("reaction", "like", "event", "rating", "album", "question", "note")
FEED_ACKNOWLEDGED_VERBS = ("hide", "unhide", "block", "unblock", "update")
# Messaging events that carry nothing to answer: acknowledged, no item.
MESSAGING_ACKNOWLEDGED = (
    "read",
    "delivery",
    "reaction",
    "referral",
    "optin",
    "request_thread_control",
    "account_linking",
    "policy_enforcement",
    "app_roles",
    "typing_on",
    "typing_off",
    "sender_action",
    "game_play",
    "response_feedback",
)
MESSAGING_FIELDS = (
    "messages",
    "messaging_postbacks",
    "messaging_seen",
    "message_reactions",
    "message_edit",
    "message_edits",
    "messaging_handover",
    "messaging_referral",
    "messaging_optins",
    "message_deliveries",
    "message_reads",
    "standby",
)
ACKNOWLEDGED_FIELDS = ("story_insights",)


class Collected:
    """Items and unparsed entries gathered from one body."""

    def __init__(self) -> None:
        self.items: list[InboundItem] = []
        self.unparsed: list[UnparsedItem] = []

    def guard(self, raw, parse: Callable[..., list[InboundItem] | InboundItem | None], *args, **kwargs) -> None:
        """Run ``parse(*args, **kwargs)`` for one entry; what it cannot read becomes an unparsed item."""
        try:
            result = parse(*args, **kwargs)
        except Unparsed as exc:
            self.unparsed.append(UnparsedItem(reason=str(exc), raw=raw if isinstance(raw, dict) else str(raw)))
            return
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.unparsed.append(
                UnparsedItem(reason=f"{type(exc).__name__}: {exc}", raw=raw if isinstance(raw, dict) else str(raw))
            )
            return
        if isinstance(result, InboundItem):
            self.items.append(result)
        elif result:
            self.items.extend(result)


class Unparsed(Exception):
    """An entry of a known shape that holds nothing Mostrador can keep (the reason)."""


def _when(value) -> datetime | None:
    """Epoch seconds or milliseconds (numbers or numeric strings), or an ISO 8601 string."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        return _iso(value)
    number = int(value)
    return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, tz=UTC)


def _iso(value: str | None) -> datetime | None:
    """Graph API times: ``2024-05-01T10:00:00+0000`` (and the ``Z`` and ``+00:00`` forms)."""
    if not value:
        return None
    value = value.replace("Z", "+00:00")
    if len(value) > 5 and value[-5] in "+-" and value[-3] != ":":
        value = f"{value[:-2]}:{value[-2:]}"
    return datetime.fromisoformat(value)


def unknown_author(item_id: str) -> ContactRef:
    """An item that names no author is its own unknown person, never merged with others."""
    return ContactRef(external_id=f"unknown:{item_id}")


# --- Attachments


def meta_attachment(raw: dict) -> dict:
    """One Messenger/Instagram attachment as a normalized dict (``payload`` may be missing or null)."""
    kind = raw.get("type") or "file"
    payload = raw.get("payload") or {}
    url = payload.get("url") or raw.get("url") or raw.get("URL") or ""
    title = payload.get("title") or raw.get("title") or ""
    if kind == "image" and payload.get("sticker_id"):
        return attachment_dict("sticker", url=url, network_type=kind, sticker_id=str(payload["sticker_id"]))
    if kind in ("image", "video", "audio", "file"):
        return attachment_dict(kind, url=url, title=title, network_type=kind)
    if kind == "location":
        coordinates = payload.get("coordinates") or {}
        lat, lng = coordinates.get("lat"), coordinates.get("long")
        maps = f"https://www.google.com/maps/search/?api=1&query={lat},{lng}" if lat is not None else url
        return attachment_dict(
            "location", url=maps, title=title, latitude=_number(lat), longitude=_number(lng), network_type=kind
        )
    if kind == "story_mention":
        return attachment_dict("story_mention", url=url, network_type=kind)
    if kind in ("share", "ig_post", "ig_reel", "reel", "ig_story", "animated_image_share"):
        media_id = payload.get("ig_post_media_id") or payload.get("reel_video_id") or ""
        return attachment_dict("link", url=url, title=title, network_type=kind, media_id=str(media_id))
    if kind == "template":
        product = (payload.get("product") or {}).get("elements") or payload.get("elements") or []
        first = product[0] if product else {}
        return attachment_dict(
            "product" if payload.get("product") else "template",
            url=first.get("image_url") or first.get("url") or url,
            title=first.get("title") or title,
            network_type=kind,
        )
    if kind == "fallback":
        return attachment_dict("link" if url else "fallback", url=url, title=title, network_type=kind)
    return attachment_dict("file", url=url, title=title, network_type=kind)


def _number(value) -> float | None:
    return float(value) if value not in (None, "") else None


# --- Page feed


def page_entry_items(entry: dict, collected: Collected) -> None:
    page_id = str(entry.get("id"))
    for change in entry.get("changes") or []:
        field = change.get("field") if isinstance(change, dict) else None
        if field == "feed":
            collected.guard(change, _feed_item, change.get("value") or {}, page_id)
        elif field in MESSAGING_FIELDS:
            collected.guard(
                change,
                _messaging_item,
                change.get("value") or {},
                own_id=page_id,
                prefix="fb",
            )
        else:
            collected.unparsed.append(UnparsedItem(reason=f"Page field not handled: {field}", raw=change))
    messaging_items(entry, own_id=page_id, prefix="fb", collected=collected)


def _feed_item(value: dict, page_id: str) -> InboundItem | None:
    kind, verb = value.get("item"), value.get("verb")
    if kind in FEED_ACKNOWLEDGED_ITEMS or verb in FEED_ACKNOWLEDGED_VERBS:
        return None  # reactions, likes, the page hiding a comment: not items
    if verb not in FEED_VERBS or kind not in FEED_ITEMS:
        raise Unparsed(f"Feed change not handled: item={kind} verb={verb}")
    author = value.get("from") or {}
    if author and str(author.get("id")) == page_id:
        return None  # the page's own comment or post: an echo of a reply
    post_id = str(value.get("post_id") or "")
    if kind == "comment":
        external_id = f"fb-comment:{value['comment_id']}"
    elif post_id:
        external_id = f"fb-post:{post_id}"
    else:
        raise Unparsed("Feed post without post_id")
    attachments = _feed_attachments(value)
    body = value.get("message") or ""
    if not body and not attachments and FEED_VERBS[verb] == "":
        raise Unparsed(f"Feed {kind} with neither text nor media")
    return InboundItem(
        external_id=external_id,
        thread_key=f"fb-post:{post_id}",
        is_private=False,
        author=_page_person(author) if author.get("id") else unknown_author(external_id),
        body=body,
        created_at=_when(value.get("created_time")),
        parent_url=f"https://www.facebook.com/{post_id}" if post_id else "",
        attachments=tuple(attachments),
        change=FEED_VERBS[verb],
        in_reply_to=f"fb-comment:{value['parent_id']}"
        if kind == "comment" and value.get("parent_id") and value.get("parent_id") != post_id
        else "",
    )


def _page_person(author: dict) -> ContactRef:
    name = author.get("name") or ""
    return ContactRef(external_id=str(author["id"]), handle=name or str(author["id"]), display_name=name)


def _feed_attachments(value: dict) -> list[dict]:
    """A comment's ``photo``/``video``; a post's ``photos``, ``video``, ``link``."""
    found = []
    for url in ([value["photo"]] if value.get("photo") else []) + list(value.get("photos") or []):
        found.append(attachment_dict("image", url=url, network_type="photo"))
    if value.get("video"):
        found.append(attachment_dict("video", url=value["video"], network_type="video"))
    if value.get("item") == "photo" and value.get("link") and not value.get("photos"):
        found.append(attachment_dict("image", url=value["link"], network_type="photo"))
    elif value.get("item") == "video" and value.get("link") and not value.get("video"):
        found.append(attachment_dict("video", url=value["link"], network_type="video"))
    elif value.get("link") and value.get("item") in ("share", "status", "post", "comment"):
        found.append(attachment_dict("link", url=value["link"], title=value.get("title") or "", network_type="link"))
    return found


# --- Messaging (Messenger and Instagram Direct)


def messaging_items(entry: dict, *, own_id: str, prefix: str, collected: Collected) -> None:
    for key in ("messaging", "standby"):
        for event in entry.get(key) or []:
            collected.guard(event, _messaging_item, event, own_id=own_id, prefix=prefix)


def _messaging_item(event: dict, *, own_id: str, prefix: str) -> InboundItem | None:
    sender = str((event.get("sender") or {}).get("id") or "")
    when = _when(event.get("timestamp"))
    thread_key = f"{prefix}-user:{sender}"
    author = ContactRef(external_id=sender, handle=sender) if sender else None
    if "message" in event:
        return _message_item(event["message"] or {}, sender, own_id, prefix, when)
    if "message_edit" in event:
        edit = event["message_edit"] or {}
        if sender == own_id:
            return None
        return InboundItem(
            external_id=f"{prefix}-mid:{edit['mid']}",
            thread_key=thread_key,
            is_private=True,
            author=author or unknown_author(edit["mid"]),
            body=edit.get("text") or "",
            created_at=when,
            change="edited",
        )
    if "postback" in event:
        postback = event["postback"] or {}
        if sender == own_id:
            return None
        title = postback.get("title") or postback.get("payload") or ""
        if not title or not sender:
            raise Unparsed("Postback with no title or sender")
        ident = postback.get("mid") or f"{sender}-{event.get('timestamp')}"
        return InboundItem(
            external_id=f"{prefix}-postback:{ident}",
            thread_key=thread_key,
            is_private=True,
            author=ContactRef(external_id=sender, handle=sender),
            body=title,
            created_at=when,
        )
    for control, verb in (("pass_thread_control", "passed to"), ("take_thread_control", "taken by")):
        if control in event:
            detail = event[control] or {}
            app = detail.get("new_owner_app_id") or "?"
            text = f"Meta handover: thread control {verb} app {app}."
            if detail.get("metadata"):
                text += f" ({detail['metadata']})"
            return InboundItem(
                external_id=f"{prefix}-handover:{sender}-{event.get('timestamp')}",
                thread_key=thread_key,
                is_private=True,
                author=author or unknown_author(f"{prefix}-handover"),
                body=text,
                created_at=when,
                kind=ItemKind.HANDOVER,
            )
    if any(key in event for key in MESSAGING_ACKNOWLEDGED):
        return None
    raise Unparsed(f"Messaging event not handled: {sorted(set(event) - {'sender', 'recipient', 'timestamp'})}")


def _message_item(message: dict, sender: str, own_id: str, prefix: str, when: datetime | None) -> InboundItem | None:
    if message.get("is_echo") or (sender and sender == own_id):
        return None  # the account's own messages
    mid = message["mid"]
    author = ContactRef(external_id=sender, handle=sender) if sender else unknown_author(f"{prefix}-mid:{mid}")
    base = InboundItem(
        external_id=f"{prefix}-mid:{mid}",
        thread_key=f"{prefix}-user:{sender or 'unknown:' + mid}",
        is_private=True,
        author=author,
        body="",
        created_at=when,
    )
    if message.get("is_deleted"):
        return replace(base, change="removed")
    if message.get("is_unsupported"):
        raise Unparsed("The network says this message's content is not supported")
    attachments: list[dict] = []
    for raw in message.get("attachments") or []:
        attachment = meta_attachment(raw) if isinstance(raw, dict) else None
        # Instagram sends a shared post twice (``share`` and ``ig_post``) while it migrates.
        if attachment and not any(a["url"] and a["url"] == attachment["url"] for a in attachments):
            attachments.append(attachment)
    reply_to = message.get("reply_to") or {}
    story = reply_to.get("story") or {}
    if story:
        attachments.append(
            attachment_dict(
                "story_reply", url=story.get("url") or "", network_type="story", story_id=str(story.get("id") or "")
            )
        )
    text = message.get("text") or ""
    if not text and not attachments:
        raise Unparsed("Message with neither text nor attachments")
    return replace(
        base,
        body=text,
        attachments=tuple(attachments),
        in_reply_to=f"{prefix}-mid:{reply_to['mid']}" if reply_to.get("mid") else "",
    )


# --- Instagram


def instagram_entry_items(entry: dict, collected: Collected) -> None:
    account_id = str(entry.get("id"))
    for change in entry.get("changes") or []:
        field = change.get("field") if isinstance(change, dict) else None
        value = (change.get("value") if isinstance(change, dict) else None) or {}
        if field in ("comments", "live_comments"):
            collected.guard(change, _instagram_comment, value, account_id, entry.get("time"))
        elif field == "mentions":
            collected.guard(change, _instagram_mention, value)
        elif field in MESSAGING_FIELDS:
            collected.guard(change, _messaging_item, value, own_id=account_id, prefix="ig")
        elif field in ACKNOWLEDGED_FIELDS:
            continue
        else:
            collected.unparsed.append(UnparsedItem(reason=f"Instagram field not handled: {field}", raw=change))
    messaging_items(entry, own_id=account_id, prefix="ig", collected=collected)


def _ig_person(author: dict) -> ContactRef:
    username = author.get("username") or ""
    return ContactRef(
        external_id=str(author["id"]),
        handle=f"@{username}" if username else str(author["id"]),
        display_name=username,
        profile_url=f"https://www.instagram.com/{username}/" if username else "",
    )


def _instagram_comment(value: dict, account_id: str, entry_time) -> InboundItem | None:
    author = value.get("from") or {}
    if author and str(author.get("id")) == account_id:
        return None
    media = value.get("media") or {}
    external_id = f"ig-comment:{value['id']}"
    return InboundItem(
        external_id=external_id,
        thread_key=f"ig-media:{media.get('id', '')}",
        is_private=False,
        author=_ig_person(author) if author.get("id") else unknown_author(external_id),
        body=value.get("text") or "",
        created_at=_when(value.get("timestamp") or entry_time),
        in_reply_to=f"ig-comment:{value['parent_id']}" if value.get("parent_id") else "",
    )


def _instagram_mention(value: dict) -> InboundItem:
    """``{"media_id", "comment_id"}``: the text must be fetched (``complete_mention``)."""
    media_id = str(value["media_id"])
    comment_id = value.get("comment_id")
    external_id = f"ig-comment:{comment_id}" if comment_id else f"ig-caption:{media_id}"
    return InboundItem(
        external_id=external_id,
        thread_key=f"ig-media:{media_id}",
        is_private=False,
        author=unknown_author(external_id),
        body="",
        kind=ItemKind.MENTION,
    )


def complete_mention(item: InboundItem, node: dict) -> InboundItem | None:
    """The mention filled in from ``GET /{ig-user}?fields=mentioned_comment…`` or ``mentioned_media…``."""
    found = node.get("mentioned_comment") or node.get("mentioned_media")
    if not found:
        return None
    username = found.get("username") or ""
    text = found.get("text") if "mentioned_comment" in node else found.get("caption")
    attachments = []
    if found.get("media_url"):
        kind = "video" if found.get("media_type") == "VIDEO" else "image"
        attachments.append(
            attachment_dict(
                kind, url=found["media_url"], preview_url=found.get("thumbnail_url") or "", network_type="media"
            )
        )
    media = found.get("media") or {}
    return InboundItem(
        external_id=item.external_id,
        thread_key=item.thread_key,
        is_private=False,
        author=ContactRef(
            external_id=f"ig-username:{username}",
            handle=f"@{username}",
            display_name=username,
            profile_url=f"https://www.instagram.com/{username}/",
        )
        if username
        else item.author,
        body=text or "",
        created_at=_when(found.get("timestamp")),
        parent_url=found.get("permalink") or media.get("permalink") or "",
        attachments=tuple(attachments),
    )


# --- Graph API backfill (polling)


def backfill_items(batch: dict, *, own_id: str, collected: Collected) -> None:
    """Graph API reads (``/{page}/feed`` with comments, ``/{page}/conversations``) as items,
    with the same external ids the webhook gives, so nothing lands twice."""
    for post in batch.get("feed") or []:
        collected.guard(post, _backfill_post, post, own_id)
    for conversation in batch.get("conversations") or []:
        for message in (conversation.get("messages") or {}).get("data") or []:
            collected.guard(message, _backfill_message, message, own_id, "fb")


def _backfill_post(post: dict, own_id: str) -> list[InboundItem]:
    post_id = post["id"]
    items = []
    author = post.get("from") or {}
    if author and str(author.get("id")) != own_id and post.get("message"):
        items.append(_graph_item(f"fb-post:{post_id}", f"fb-post:{post_id}", post, public=True, post_id=post_id))
    for comment in (post.get("comments") or {}).get("data") or []:
        if str((comment.get("from") or {}).get("id")) != own_id:
            items.append(
                _graph_item(f"fb-comment:{comment['id']}", f"fb-post:{post_id}", comment, public=True, post_id=post_id)
            )
    return items


def _backfill_message(message: dict, own_id: str, prefix: str) -> InboundItem | None:
    sender = str((message.get("from") or {}).get("id") or "")
    if not sender or sender == own_id:
        return None
    return _graph_item(f"{prefix}-mid:{message['id']}", f"{prefix}-user:{sender}", message, public=False)


def _graph_item(external_id: str, thread_key: str, node: dict, *, public: bool, post_id: str = "") -> InboundItem:
    author = node.get("from") or {}
    attachments = []
    attachment = node.get("attachment") or {}
    media = attachment.get("media") or {}
    if (media.get("image") or {}).get("src"):
        attachments.append(
            attachment_dict("image", url=media["image"]["src"], network_type=attachment.get("type") or "photo")
        )
    for item in (node.get("attachments") or {}).get("data") or []:
        if (item.get("image_data") or {}).get("url"):
            attachments.append(attachment_dict("image", url=item["image_data"]["url"], network_type="image"))
        elif (item.get("video_data") or {}).get("url"):
            video = item["video_data"]
            attachments.append(
                attachment_dict(
                    "video", url=video["url"], preview_url=video.get("preview_url") or "", network_type="video"
                )
            )
        elif item.get("file_url"):
            attachments.append(
                attachment_dict(
                    "file", url=item["file_url"], title=item.get("name") or "", mime_type=item.get("mime_type") or ""
                )
            )
    return InboundItem(
        external_id=external_id,
        thread_key=thread_key,
        is_private=not public,
        author=_page_person(author) if author.get("id") else unknown_author(external_id),
        body=node.get("message") or "",
        created_at=_iso(node.get("created_time")),
        parent_url=f"https://www.facebook.com/{post_id}" if post_id else "",
        attachments=tuple(attachments),
    )


def instagram_backfill_items(batch: dict, *, own_id: str, collected: Collected) -> None:
    """``/{ig-user}/media`` with comments and ``/{ig-user}/conversations?platform=instagram`` as items."""
    for media in batch.get("media") or []:
        for comment in (media.get("comments") or {}).get("data") or []:
            collected.guard(comment, _ig_backfill_comment, comment, media, own_id)
    for conversation in batch.get("conversations") or []:
        for message in (conversation.get("messages") or {}).get("data") or []:
            collected.guard(message, _backfill_message, message, own_id, "ig")


def _ig_backfill_comment(comment: dict, media: dict, own_id: str) -> InboundItem | None:
    author = comment.get("from") or {}
    if str(author.get("id")) == own_id:
        return None
    external_id = f"ig-comment:{comment['id']}"
    return InboundItem(
        external_id=external_id,
        thread_key=f"ig-media:{media['id']}",
        is_private=False,
        author=_ig_person(author) if author.get("id") else unknown_author(external_id),
        body=comment.get("text") or "",
        created_at=_iso(comment.get("timestamp")),
    )


def profile_ref(external_id: str, node: dict) -> ContactRef:
    """A Messenger (``first_name``, ``last_name``) or Instagram (``name``, ``username``) profile."""
    username = node.get("username") or ""
    name = node.get("name") or " ".join(filter(None, [node.get("first_name"), node.get("last_name")]))
    return ContactRef(
        external_id=external_id,
        handle=f"@{username}" if username else name or external_id,
        display_name=name or username,
        profile_url=f"https://www.instagram.com/{username}/" if username else "",
        picture_url=node.get("profile_pic") or "",
    )
