"""Google Business Profile reviews (My Business API v4 ``Review``) into ``InboundItem``s.

A review, as ``accounts.locations.reviews.list`` gives it::

    {"name": "accounts/1/locations/2/reviews/AbC", "reviewId": "AbC",
     "reviewer": {"displayName": "…", "profilePhotoUrl": "…", "isAnonymous": false},
     "starRating": "TWO", "comment": "…", "createTime": "…Z", "updateTime": "…Z",
     "reviewReply": {"comment": "…", "updateTime": "…Z"}}

``comment``, ``reviewReply`` and the reviewer's fields may be missing (a
rating without text, an anonymous reviewer). Each review is a conversation of
its own; its stars lead the message text ("★★☆☆☆ 2/5"), so a change of stars
is an edit like a change of words, and the protocol's default rule for one-
and two-star reviews matches the text.
"""

from __future__ import annotations

from datetime import datetime

from channels.connectors.base import ContactRef, InboundItem

STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
THREAD_PREFIX = "gbp-review:"
ANONYMOUS = "Google user"


def star_count(review: dict) -> int:
    """1–5, or 0 when Google does not say (``STAR_RATING_UNSPECIFIED``)."""
    return STARS.get(str(review.get("starRating") or ""), 0)


def stars_line(count: int) -> str:
    return f"{'★' * count}{'☆' * (5 - count)} {count}/5" if count else ""


def review_body(review: dict) -> str:
    """The message text: the stars line, then the comment when there is one."""
    comment = (review.get("comment") or "").strip()
    return "\n\n".join(part for part in (stars_line(star_count(review)), comment) if part)


def parse_time(value: str | None) -> datetime | None:
    """An RFC 3339 timestamp ("2026-11-20T10:15:30.123456Z") as an aware datetime."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def review_item(review: dict, *, change: str = "") -> InboundItem:
    """One review as an item; raise ``KeyError``/``ValueError`` when it has no id or a bad time."""
    review_id = str(review["reviewId"])
    reviewer = review.get("reviewer") or {}
    anonymous = bool(reviewer.get("isAnonymous")) or not reviewer.get("displayName")
    author = ContactRef(
        # Google gives reviewers no id: each review's author is a contact of its own.
        external_id=f"gbp-reviewer:{review_id}",
        display_name=ANONYMOUS if anonymous else str(reviewer["displayName"]),
        picture_url="" if anonymous else str(reviewer.get("profilePhotoUrl") or ""),
    )
    return InboundItem(
        external_id=review_id,
        thread_key=f"{THREAD_PREFIX}{review_id}",
        is_private=False,
        author=author,
        body=review_body(review),
        created_at=parse_time(review.get("createTime")),
        change=change,
        rating=star_count(review) or None,
    )


def removed_item(review_id: str) -> InboundItem:
    """A review that is no longer on Google: marked removed, never deleted here."""
    return InboundItem(
        external_id=review_id,
        thread_key=f"{THREAD_PREFIX}{review_id}",
        is_private=False,
        author=ContactRef(external_id=f"gbp-reviewer:{review_id}"),
        body="",
        change="removed",
    )
