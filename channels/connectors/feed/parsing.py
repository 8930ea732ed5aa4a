"""Feed bodies → entries, with ``feedparser`` (RSS 0.9x–2.0, RSS 1.0, Atom 0.3 and 1.0).

``feedparser`` reads what it can of a broken document (``bozo``): the entries
before the fault are kept, and a document with none is an error. Each entry
is read on its own: one that lacks both an id and a link, or whose fields
cannot be read, is skipped with its reason and never costs its neighbours.
An entry's key is its ``id``/``guid``, else its link: what deduplicates it.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser
from django.utils.html import strip_tags

from channels.connectors.base import clean_text

TEXT_LIMIT = 5000
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class FeedEntry:
    key: str  # the entry's id/guid, else its link
    link: str
    title: str
    text: str  # the summary or content as plain text
    author: str
    written_at: datetime | None

    @property
    def digest(self) -> str:
        """40 hex characters that stand for ``key`` (ids may be long URLs)."""
        return hashlib.sha1(self.key.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class FeedReport:
    title: str = ""
    entries: list[FeedEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why each unreadable entry was left out
    # Why the document could not be read whole ("" when it was); with no
    # entries at all, the fetch failed.
    problem: str = ""


def plain(value: str) -> str:
    """HTML to one line of plain text."""
    return clean_text(_SPACES.sub(" ", html.unescape(strip_tags(value or ""))).strip())


def _when(entry) -> datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(name)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return None


def _entry(entry) -> FeedEntry:
    link = (entry.get("link") or "").strip()
    key = (entry.get("id") or "").strip() or link
    if not link.startswith(("http://", "https://")):
        link = ""  # feedparser takes a guid that is not a link for one
    if not key:
        raise ValueError("an entry without id, guid nor link")
    content = entry.get("content") or []
    body = entry.get("summary") or (content[0].get("value", "") if content else "")
    return FeedEntry(
        key=key[:2000],
        link=link[:1000],
        title=plain(entry.get("title") or "")[:300],
        text=plain(body)[:TEXT_LIMIT],
        author=plain(entry.get("author") or "")[:100],
        written_at=_when(entry),
    )


def feed_parse(body: bytes, *, content_type: str = "") -> FeedReport:
    """The feed's title, its readable entries, the reasons others were skipped,
    and the problem with the document if it was not read whole."""
    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    problem = ""
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        # A declared encoding that differs from the real one is read anyway: not a problem.
        if not isinstance(exc, feedparser.CharacterEncodingOverride):
            problem = f"Not a well-formed feed: {exc}"
    entries, skipped = [], []
    for raw in parsed.get("entries", []):
        try:
            entries.append(_entry(raw))
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
            skipped.append(str(exc))
    if not entries and not parsed.get("version") and not problem:
        problem = "Not a feed: no RSS or Atom elements found."
    return FeedReport(
        title=plain(parsed.get("feed", {}).get("title") or "")[:200], entries=entries, skipped=skipped, problem=problem
    )
