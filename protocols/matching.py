r"""Matching inbound text against the protocol's rules: pure functions.

Keywords and phrases match whole words, ignoring accents and capitals, so
"queja" matches "QUÉJA" and "Quejas" does not match "quejase" by accident
(write "queja" and "quejas" when both are wanted).

Rule patterns run on RE2 (``google-re2``), whose time is linear in the text
whatever the pattern, so no rule can stall message intake (``^(a+)+$`` on
Python's ``re`` takes seconds on 27 letters, minutes on a few more). RE2 has
no back-references, look-arounds, possessive or atomic groups: such patterns
are refused on save, and a stored one is skipped, never run on ``re``. So that
Spanish text behaves as it did on ``re``, ``\w``, ``\d``, ``\s`` and their
negations are rewritten into Unicode classes (RE2's are ASCII: its ``\w``
would not match "ñ" or "á"). RE2's ``\b`` cannot be rewritten so: it counts
only ASCII letters as word characters, so a ``\b`` next to an accented letter
in the pattern (``\bcafé\b``) would never match and is refused on
save; keywords match whole words, ignoring accents, and suit that best.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import re2

logger = logging.getLogger(__name__)

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
    # Safe on Python's re: every keyword is escaped, so the only operators are ours (no nested repetition).
    others = [re.escape(k).replace(r"\ ", r"\s+") for k in folded if k not in words]
    regex = None
    if others:
        regex = re.compile(r"(?<!\w)(" + "|".join(sorted(others, key=len, reverse=True)) + r")(?!\w)")
    return _KeywordPlan(words=words, regex=regex)


# RE2's memory for one compiled pattern (program and DFA cache); beyond it a
# pattern is refused as too large, and matching falls back to RE2's slower,
# still linear, NFA.
PATTERN_MAX_MEM = 4 << 20

_WORD_CLASS = r"\p{L}\p{N}_"  # Python's str \w: letters, digits, underscore
_SPACE_CLASS = r"\t-\r\x{1c}-\x{20}\x{85}\p{Z}"  # Python's str \s
# Python's (Unicode) meaning of the Perl classes, outside and inside brackets.
# Inside brackets \W and \S cannot be written as a union of ranges: they keep
# RE2's ASCII meaning there.
_OUTSIDE = {
    "w": f"[{_WORD_CLASS}]",
    "W": f"[^{_WORD_CLASS}]",
    "d": r"\p{Nd}",
    "D": r"\P{Nd}",
    "s": f"[{_SPACE_CLASS}]",
    "S": f"[^{_SPACE_CLASS}]",
    "Z": r"\z",  # Python's end of text
}
_INSIDE = {"w": _WORD_CLASS, "d": r"\p{Nd}", "D": r"\P{Nd}", "s": _SPACE_CLASS}


class PatternError(ValueError):
    pass


def _translate(pattern: str) -> str:
    """``pattern`` with Python's Unicode meaning of \\w, \\d, \\s (and negations) for RE2.

    Raises PatternError for a \\b or \\B next to a non-ASCII character, which
    RE2 (ASCII word boundaries) would never match as written.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        char = pattern[i]
        if char == "\\" and i + 1 < n:
            escape = pattern[i + 1]
            if escape == "Q":  # \Q...\E: literal text, copied as is
                end = pattern.find("\\E", i + 2)
                end = n if end < 0 else end + 2
                out.append(pattern[i:end])
                i = end
                continue
            if escape in "bB" and not in_class:
                before = pattern[i - 1] if i else ""
                after = pattern[i + 2] if i + 2 < n else ""
                if not before.isascii() or not after.isascii():
                    raise PatternError("\\b")
            table = _INSIDE if in_class else _OUTSIDE
            out.append(table.get(escape, char + escape))
            i += 2
            continue
        if in_class:
            if pattern.startswith("[:", i):  # a POSIX class, [:alpha:]
                end = pattern.find(":]", i + 2)
                end = n if end < 0 else end + 2
                out.append(pattern[i:end])
                i = end
                continue
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            out.append(char)
            i += 1
            # A ] first in the class (after an optional ^) is a literal.
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):
                out.append("]")
                i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _options() -> re2.Options:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.UTF8  # text is Unicode: ñ, á are one character
    options.case_sensitive = False
    options.max_mem = PATTERN_MAX_MEM
    options.log_errors = False
    return options


_OPTIONS = _options()


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re2._Regexp | str:
    """The compiled pattern, or why RE2 cannot run it."""
    try:
        return re2.compile(_translate(pattern), _OPTIONS)
    except PatternError:
        return "\\b or \\B next to a non-ASCII letter (RE2's word boundaries are ASCII-only)"
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)


def _pattern(pattern: str) -> re2._Regexp | None:
    """The compiled pattern, or None (logged) if RE2 cannot run it: a rule saved
    before patterns were checked for RE2 matches nothing rather than run on ``re``."""
    compiled = _compiled(pattern)
    if isinstance(compiled, str):
        _log_skipped(pattern, compiled)
        return None
    return compiled


@lru_cache(maxsize=256)
def _log_skipped(pattern: str, reason: str) -> None:
    logger.warning("Rule pattern /%s/ skipped: RE2 cannot run it (%s); edit the rule.", pattern, reason)


def pattern_error(pattern: str) -> str | None:
    """Return why RE2 cannot run ``pattern`` (not a regular expression, or an
    unsupported construct), or None."""
    compiled = _compiled(pattern)
    return compiled if isinstance(compiled, str) else None


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
        compiled = _pattern(condition.pattern)
        found = compiled.search(text) if compiled is not None else None
        if found is None:
            return None
        reasons.append(f"/{condition.pattern}/ → «{found.group(0)}»")
    if not reasons and condition.channel_id is None and condition.visibility == "any":
        return None  # a rule with no condition matches nothing, not everything
    return Match(reason=", ".join(reasons) or condition.visibility)
