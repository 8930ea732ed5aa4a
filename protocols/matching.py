"""Matching inbound text against the protocol's rules: pure functions.

Keywords and phrases match whole words, ignoring accents and capitals, so
"queja" matches "QUÉJA" and "Quejas" does not match "quejase" by accident
(write "queja" and "quejas" when both are wanted).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

_COMMON_ACCENTS = str.maketrans("áéíóúüàèìòùâêîôûäëïöç", "aeiouuaeiouaeiouaeioc")
_KEPT = frozenset("ñ¿¡€ºª")
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents (ñ stays ñ: it is a letter, not an accent)."""
    quick = text.casefold().translate(_COMMON_ACCENTS)
    if quick.isascii() or not any(ord(c) > 127 and c not in _KEPT and unicodedata.decomposition(c) for c in quick):
        return quick
    decomposed = unicodedata.normalize("NFD", text.casefold())
    kept = []
    for index, char in enumerate(decomposed):
        if unicodedata.combining(char):
            # Keep the tilde of ñ; drop every other accent.
            if char == "\u0303" and index and decomposed[index - 1] == "n":
                kept.append(char)
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def words_of(folded: str) -> frozenset[str]:
    """The whole words of a folded text, to look single-word keywords up in."""
    return frozenset(_WORD.findall(folded))


@dataclass(frozen=True)
class _KeywordPlan:
    """Single words are looked up in the text's word set; phrases and
    keywords with punctuation go through one regular expression."""

    words: frozenset[str]
    regex: re.Pattern | None


@lru_cache(maxsize=4096)
def _keyword_plan(keywords: tuple[str, ...]) -> _KeywordPlan:
    folded = [fold(k.strip()) for k in keywords if k.strip()]
    words = frozenset(k for k in folded if _WORD.fullmatch(k))
    others = [re.escape(k).replace(r"\ ", r"\s+") for k in folded if k not in words]
    regex = None
    if others:
        regex = re.compile(r"(?<!\w)(" + "|".join(sorted(others, key=len, reverse=True)) + r")(?!\w)")
    return _KeywordPlan(words=words, regex=regex)


@lru_cache(maxsize=1024)
def _pattern(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


def pattern_error(pattern: str) -> str | None:
    """Return why ``pattern`` is not a valid regular expression, or None."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class Condition:
    """A rule's conditions, detached from the database."""

    keywords: tuple[str, ...] = ()
    pattern: str = ""
    channel_id: int | None = None
    visibility: str = "any"
    # Folded handles of an author list, and its name for the reason shown.
    authors: frozenset[str] | None = None
    authors_label: str = ""
    sentiment_below: float | None = None


@dataclass(frozen=True)
class Match:
    reason: str


def author_keys(*values: str) -> frozenset[str]:
    """The ways an author can appear in a list: handle without @, e-mail, network id; folded."""
    return frozenset(v.strip().lstrip("@").casefold() for v in values if v and v.strip())


def match(
    condition: Condition,
    *,
    text: str,
    channel_id: int | None,
    is_private: bool,
    author: frozenset[str] = frozenset(),
    sentiment: float | Callable[[], float] | None = None,
    folded: str | None = None,
    words: frozenset[str] | None = None,
) -> Match | None:
    """Return why ``text`` meets every condition that is set, or None if one fails.

    ``folded`` (``fold(text)``) and ``words`` (``words_of(folded)``) are computed
    once by callers that try many rules; ``sentiment`` may be a function, called
    only when a rule asks for it.
    """
    reasons = []
    if condition.channel_id is not None and condition.channel_id != channel_id:
        return None
    if condition.visibility == "public" and is_private:
        return None
    if condition.visibility == "private" and not is_private:
        return None
    if condition.authors is not None:
        if not condition.authors & author:
            return None
        reasons.append(condition.authors_label)
    if condition.sentiment_below is not None:
        if callable(sentiment):
            sentiment = sentiment()
        if sentiment is None or sentiment > condition.sentiment_below:
            return None
        reasons.append(f"sentiment {sentiment:+.2f} ≤ {condition.sentiment_below:+.2f}")
    if condition.keywords:
        plan = _keyword_plan(condition.keywords)
        if folded is None:
            folded = fold(text)
        hit = None
        if plan.words:
            if words is None:
                words = words_of(folded)
            common = plan.words & words
            hit = min(common) if common else None
        if hit is None and plan.regex is not None:
            found = plan.regex.search(folded)
            hit = found.group(0) if found else None
        if hit is None:
            return None
        reasons.append(f"«{hit}»")
    if condition.pattern:
        found = _pattern(condition.pattern).search(text)
        if found is None:
            return None
        reasons.append(f"/{condition.pattern}/ → «{found.group(0)}»")
    if not reasons and condition.channel_id is None and condition.visibility == "any":
        return None  # a rule with no condition matches nothing, not everything
    return Match(reason=", ".join(reasons) or condition.visibility)
