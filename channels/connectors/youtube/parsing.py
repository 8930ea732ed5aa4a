"""YouTube Data API v3 ``commentThread`` and ``comment`` resources into ``InboundItem``s.

A thread (``commentThreads.list``, ``part=snippet,replies``) holds
``snippet.topLevelComment`` and, when it has replies, ``replies.comments``
(YouTube includes only some of them; ``snippet.totalReplyCount`` says how
many there are). A comment's ``snippet`` carries ``textOriginal`` (only
guaranteed to its author, so it may be missing), ``textDisplay``,
``authorDisplayName``, ``authorChannelId.value`` (may be missing),
``authorProfileImageUrl``, ``authorChannelUrl``, ``videoId``, ``parentId``
(replies), ``publishedAt`` and ``updatedAt``. Each thread is a conversation.
"""

from __future__ import annotations

from channels.connectors.base import ContactRef, InboundItem
from channels.connectors.gbp.parsing import parse_time

THREAD_PREFIX = "yt-thread:"


def comment_author(snippet: dict) -> ContactRef:
    name = str(snippet.get("authorDisplayName") or "")
    channel = (
        (snippet.get("authorChannelId") or {}).get("value") if isinstance(snippet.get("authorChannelId"), dict) else ""
    )
    return ContactRef(
        # Without a channel id (YouTube may leave it out) the name is all there is.
        external_id=str(channel) if channel else f"yt-name:{name}",
        handle=name,
        display_name=name,
        profile_url=str(snippet.get("authorChannelUrl") or ""),
        picture_url=str(snippet.get("authorProfileImageUrl") or ""),
    )


def comment_text(snippet: dict) -> str:
    text = snippet.get("textOriginal")
    return str(text if text is not None else snippet.get("textDisplay") or "")


def comment_item(comment: dict, *, thread_id: str, change: str = "") -> InboundItem:
    """One comment as an item; raise ``KeyError``/``ValueError`` when it has no id or a bad time."""
    snippet = comment["snippet"]
    comment_id = str(comment["id"])
    video = str(snippet.get("videoId") or "")
    return InboundItem(
        external_id=comment_id,
        thread_key=f"{THREAD_PREFIX}{thread_id}",
        is_private=False,
        author=comment_author(snippet),
        body=comment_text(snippet),
        created_at=parse_time(snippet.get("publishedAt")),
        parent_url=f"https://www.youtube.com/watch?v={video}&lc={comment_id}" if video else "",
        in_reply_to=str(snippet.get("parentId") or ""),
        change=change,
    )


def thread_comments(thread: dict) -> list[dict]:
    """The thread's top-level comment and the replies it includes, oldest first."""
    snippet = thread.get("snippet") or {}
    top = snippet.get("topLevelComment")
    replies = (thread.get("replies") or {}).get("comments") or []
    return [c for c in [top, *replies] if isinstance(c, dict)]
