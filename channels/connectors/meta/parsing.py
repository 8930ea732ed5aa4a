"""Meta webhook entries → normalized items, as Meta documents them.

Page ``feed`` changes: comments and replies (threaded under their post, public),
visitor posts, edits and removals by their authors. ``messaging`` entries:
Messenger (and Instagram) messages with text and attachments (private).
Instagram ``comments`` changes: comments and replies on media (public). The
account's own comments and message echoes are not inbound items.
"""

from __future__ import annotations

from datetime import UTC, datetime

from channels.connectors.base import ContactRef, InboundItem

FEED_VERBS = {"add": "", "edited": "edited", "remove": "removed"}


def _when(value) -> datetime | None:
    if value in (None, ""):
        return None
    value = int(value)
    return datetime.fromtimestamp(value / 1000 if value > 10**11 else value, tz=UTC)


def page_entry_items(entry: dict) -> list[InboundItem]:
    page_id = str(entry.get("id"))
    items = [item for change in entry.get("changes", []) if (item := _feed_item(change, page_id))]
    items += messaging_items(entry, own_id=page_id, prefix="fb")
    return items


def _feed_item(change: dict, page_id: str) -> InboundItem | None:
    if change.get("field") != "feed":
        return None
    value = change.get("value", {})
    kind, verb = value.get("item"), value.get("verb")
    if verb not in FEED_VERBS or kind not in ("comment", "post", "status", "photo", "video"):
        return None  # reactions, likes, shares, hides by the page itself: not items
    author = value.get("from", {})
    if str(author.get("id")) == page_id:
        return None  # the page's own comment: an echo of a reply
    post_id = value.get("post_id", "")
    external_id = f"fb-comment:{value['comment_id']}" if kind == "comment" else f"fb-post:{post_id}"
    return InboundItem(
        external_id=external_id,
        thread_key=f"fb-post:{post_id}",
        is_private=False,
        author=ContactRef(
            external_id=str(author.get("id", "")),
            handle=author.get("name", "") or str(author.get("id", "")),
            display_name=author.get("name", ""),
        ),
        body=value.get("message", ""),
        created_at=_when(value.get("created_time")),
        parent_url=f"https://www.facebook.com/{post_id}",
        change=FEED_VERBS[verb],
    )


def messaging_items(entry: dict, *, own_id: str, prefix: str) -> list[InboundItem]:
    items = []
    for event in entry.get("messaging", []) or []:
        message = event.get("message")
        sender = str(event.get("sender", {}).get("id", ""))
        if not message or message.get("is_echo") or sender == own_id:
            continue  # deliveries, reads, and the account's own messages
        attachments = tuple(
            {"type": a.get("type", ""), "url": a.get("payload", {}).get("url", "")}
            for a in message.get("attachments", []) or []
        )
        items.append(
            InboundItem(
                external_id=f"{prefix}-mid:{message['mid']}",
                thread_key=f"{prefix}-user:{sender}",
                is_private=True,
                author=ContactRef(external_id=sender, handle=sender),
                body=message.get("text", "")
                or ("[" + ", ".join(a["type"] for a in attachments) + "]" if attachments else ""),
                created_at=_when(event.get("timestamp")),
                attachments=attachments,
            )
        )
    return items


def _attachment_summary(attachments: tuple[dict, ...]) -> str:
    return "[" + ", ".join(a["type"] for a in attachments) + "]" if attachments else ""


def instagram_entry_items(entry: dict) -> list[InboundItem]:
    account_id = str(entry.get("id"))
    items = []
    for change in entry.get("changes", []) or []:
        if change.get("field") not in ("comments", "live_comments"):
            continue
        value = change.get("value", {})
        author = value.get("from", {})
        if str(author.get("id")) == account_id:
            continue
        media = value.get("media", {})
        items.append(
            InboundItem(
                external_id=f"ig-comment:{value['id']}",
                thread_key=f"ig-media:{media.get('id', '')}",
                is_private=False,
                author=ContactRef(
                    external_id=str(author.get("id", "")),
                    handle=f"@{author.get('username', '')}" if author.get("username") else str(author.get("id", "")),
                    display_name=author.get("username", ""),
                    profile_url=f"https://www.instagram.com/{author['username']}/" if author.get("username") else "",
                ),
                body=value.get("text", ""),
                created_at=_when(entry.get("time")),
            )
        )
    items += messaging_items(entry, own_id=account_id, prefix="ig")
    return items


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")


def backfill_items(batch: dict, *, own_id: str) -> list[InboundItem]:
    """Graph API reads (``/{page}/feed`` with comments, ``/{page}/conversations``) as items,
    with the same external ids the webhook gives, so nothing lands twice."""
    items = []
    for post in batch.get("feed", []):
        post_id = post["id"]
        author = post.get("from", {})
        if author and str(author.get("id")) != own_id and post.get("message"):
            items.append(_graph_item(f"fb-post:{post_id}", f"fb-post:{post_id}", post, public=True, post_id=post_id))
        for comment in post.get("comments", {}).get("data", []):
            if str(comment.get("from", {}).get("id")) != own_id:
                items.append(
                    _graph_item(
                        f"fb-comment:{comment['id']}", f"fb-post:{post_id}", comment, public=True, post_id=post_id
                    )
                )
    for conversation in batch.get("conversations", []):
        for message in conversation.get("messages", {}).get("data", []):
            sender = str(message.get("from", {}).get("id", ""))
            if sender and sender != own_id:
                items.append(_graph_item(f"fb-mid:{message['id']}", f"fb-user:{sender}", message, public=False))
    return items


def _graph_item(external_id: str, thread_key: str, node: dict, *, public: bool, post_id: str = "") -> InboundItem:
    author = node.get("from", {})
    return InboundItem(
        external_id=external_id,
        thread_key=thread_key,
        is_private=not public,
        author=ContactRef(
            external_id=str(author.get("id", "")),
            handle=author.get("name", "") or str(author.get("id", "")),
            display_name=author.get("name", ""),
        ),
        body=node.get("message", ""),
        created_at=_iso(node.get("created_time")),
        parent_url=f"https://www.facebook.com/{post_id}" if post_id else "",
    )


def instagram_backfill_items(batch: dict, *, own_id: str) -> list[InboundItem]:
    """``/{ig-user}/media`` with comments and ``/{ig-user}/conversations?platform=instagram`` as items."""
    items = []
    for media in batch.get("media", []):
        for comment in media.get("comments", {}).get("data", []):
            author = comment.get("from", {})
            if str(author.get("id")) == own_id:
                continue
            username = author.get("username", "")
            items.append(
                InboundItem(
                    external_id=f"ig-comment:{comment['id']}",
                    thread_key=f"ig-media:{media['id']}",
                    is_private=False,
                    author=ContactRef(
                        external_id=str(author.get("id", "")),
                        handle=f"@{username}" if username else str(author.get("id", "")),
                        display_name=username,
                        profile_url=f"https://www.instagram.com/{username}/" if username else "",
                    ),
                    body=comment.get("text", ""),
                    created_at=_iso(comment.get("timestamp")),
                )
            )
    for conversation in batch.get("conversations", []):
        for message in conversation.get("messages", {}).get("data", []):
            sender = str(message.get("from", {}).get("id", ""))
            if sender and sender != own_id:
                items.append(_graph_item(f"ig-mid:{message['id']}", f"ig-user:{sender}", message, public=False))
    return items
