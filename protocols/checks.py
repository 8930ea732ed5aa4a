"""Checks of a reply before it is sent: spelling, sensitive topics, aggressive tone.

Each check is off, a warning, or blocking, as the Community Manager sets it
(``ReplyCheck``). Spelling uses pyspellchecker's Spanish and English
frequency dictionaries plus the CM's accepted words; a word counts as known
in either language, as a regular Spanish verb or noun form of a known word, or
as a word Spanish text uses (wordfreq's large list: conjugations, plurals and
nouns such as «tienda» or «veces» that pyspellchecker lacks), so the check
flags typos rather than every conjugation. A word written without the accent
that its accented form is written with far more often («panaderias») is a typo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext as _

from protocols.matching import fold
from protocols.models import ReplyCheck, SensitiveTopic

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_INSULTS = frozenset(
    [
        "idiota",
        "imbecil",
        "estupido",
        "estupida",
        "gilipollas",
        "subnormal",
        "tonto",
        "tonta",
        "inutil",
        "payaso",
        "payasa",
        "cretino",
        "cretina",
        "capullo",
        "imbecil",
        "mentiroso",
        "mentirosa",
        "ridiculo",
        "ridicula",
        "cállate",
        "callate",
        "idiot",
        "stupid",
        "moron",
        "dumb",
        "shut",
    ]
)
# Regular Spanish endings: a word is known if its stem plus an ending is.
_ENDINGS = [
    ("amos", ("ar",)),
    ("emos", ("er",)),
    ("imos", ("ir",)),
    ("áis", ("ar",)),
    ("éis", ("er",)),
    ("ís", ("ir",)),
    ("aron", ("ar",)),
    ("ieron", ("er", "ir")),
    ("ando", ("ar",)),
    ("iendo", ("er", "ir")),
    ("ado", ("ar",)),
    ("ada", ("ar",)),
    ("ados", ("ar",)),
    ("adas", ("ar",)),
    ("ido", ("er", "ir")),
    ("ida", ("er", "ir")),
    ("idos", ("er", "ir")),
    ("idas", ("er", "ir")),
    ("an", ("ar",)),
    ("en", ("er", "ir")),
    ("as", ("ar", "os")),
    ("es", ("er", "ir", "")),
    ("s", ("",)),
    ("a", ("o",)),
]


# Common irregular verb forms the frequency dictionary lacks.
_IRREGULAR = frozenset(
    [
        "he",
        "has",
        "ha",
        "hemos",
        "habéis",
        "han",
        "había",
        "habían",
        "hubo",
        "haya",
        "hayas",
        "hayamos",
        "hayan",
        "habido",
        "soy",
        "eres",
        "es",
        "somos",
        "sois",
        "son",
        "era",
        "eras",
        "éramos",
        "eran",
        "fue",
        "fui",
        "fueron",
        "sea",
        "seas",
        "seamos",
        "sean",
        "sido",
        "estoy",
        "estás",
        "está",
        "estamos",
        "estáis",
        "están",
        "estuvo",
        "estuve",
        "esté",
        "estén",
        "voy",
        "vas",
        "va",
        "vamos",
        "vais",
        "van",
        "iba",
        "iban",
        "vaya",
        "vayas",
        "vayamos",
        "vayan",
        "tengo",
        "tienes",
        "tiene",
        "tenemos",
        "tenéis",
        "tienen",
        "tuvo",
        "tuve",
        "tenga",
        "tengas",
        "tengamos",
        "tengan",
        "hago",
        "haces",
        "hace",
        "hacemos",
        "hacen",
        "hizo",
        "hice",
        "haga",
        "hagas",
        "hagamos",
        "hagan",
        "hecho",
        "puedo",
        "puedes",
        "puede",
        "podemos",
        "pueden",
        "pudo",
        "pueda",
        "puedas",
        "podamos",
        "puedan",
        "digo",
        "dices",
        "dice",
        "decimos",
        "dicen",
        "dijo",
        "dije",
        "diga",
        "digas",
        "digamos",
        "digan",
        "dicho",
        "quiero",
        "quieres",
        "quiere",
        "queremos",
        "quieren",
        "quiso",
        "quiera",
        "quieras",
        "sé",
        "sabes",
        "sabe",
        "sabemos",
        "saben",
        "supo",
        "sepa",
        "sepas",
        "sepamos",
        "sepan",
        "vengo",
        "vienes",
        "viene",
        "venimos",
        "vienen",
        "vino",
        "venga",
        "vengas",
        "vengan",
        "doy",
        "das",
        "da",
        "damos",
        "dan",
        "dio",
        "dé",
        "den",
        "veo",
        "ves",
        "ve",
        "vemos",
        "ven",
        "vio",
        "vea",
        "veas",
        "vean",
        "visto",
        "pongo",
        "pones",
        "pone",
        "ponemos",
        "ponen",
        "puso",
        "ponga",
        "pongan",
        "puesto",
        "vuelvo",
        "vuelves",
        "vuelve",
        "volvemos",
        "vuelven",
        "vuelto",
        "vuelva",
        "vuelvan",
        "devuelvo",
        "devuelves",
        "devuelve",
        "devolvemos",
        "devuelven",
        "devuelto",
        "devuelva",
        "devuelvan",
        "siento",
        "sientes",
        "siente",
        "sentimos",
        "sienten",
        "sienta",
        "sientan",
        "bendice",
        "bendiga",
        "bendigan",
        "pido",
        "pides",
        "pide",
        "pedimos",
        "piden",
        "pida",
        "pidan",
        "sigo",
        "sigues",
        "sigue",
        "seguimos",
        "siguen",
        "siga",
        "sigan",
        "encuentro",
        "encuentra",
        "encontramos",
        "encuentran",
        "abierto",
        "escrito",
        "resuelto",
        "resuelve",
        "resolvemos",
        "resuelva",
        "cubierto",
        "roto",
    ]
)
_ENCLITICS = (
    "selo",
    "sela",
    "noslo",
    "melo",
    "telo",
    "los",
    "las",
    "les",
    "nos",
    "lo",
    "la",
    "le",
    "me",
    "te",
    "se",
    "os",
)


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    blocking: bool


@cache
def _dictionaries():
    from spellchecker import SpellChecker

    return SpellChecker(language="es"), SpellChecker(language="en")


# Zipf frequency (log10 of uses per billion words) from which a word counts as
# Spanish: about once in 60 million words. Typos sit below it («tiedna» 0, «gracais» 1.4).
_SPANISH_ZIPF = 1.8
# How much more often the accented form must be written for the bare one to be a
# typo: «panaderias» 1.9 against «panaderías» 3.2; «mas» 5.9 against «más» 6.6 stays.
_ACCENT_MARGIN = 1.0
_ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}
# Frequent on the web, wrong in a brand's reply.
_COMMON_MISTAKES = frozenset(["porfavor", "haci", "aver"])


def _spanish(word: str) -> float:
    from wordfreq import zipf_frequency  # loaded with the first reply checked, not at every process start

    return zipf_frequency(word, "es", wordlist="large")


def _used_in_spanish(word: str) -> bool:
    """Whether Spanish text uses this spelling, and not as a missing accent of a commoner word."""
    frequency = _spanish(word)
    if frequency < _SPANISH_ZIPF:
        return False
    if any(c in "áéíóú" for c in word):
        return True
    accented = (word[:i] + _ACCENTED[c] + word[i + 1 :] for i, c in enumerate(word) if c in _ACCENTED)
    return all(_spanish(variant) < frequency + _ACCENT_MARGIN for variant in accented)


def _known(word: str, accepted: frozenset[str]) -> bool:
    es, en = _dictionaries()
    folded = fold(word)
    if word in _COMMON_MISTAKES:
        return False
    if folded in accepted or word in _IRREGULAR or word in es or word in en:
        return True
    if _used_in_spanish(word):
        return True
    for enclitic in _ENCLITICS:  # haberlo, dígame, enviárselo
        if word.endswith(enclitic) and len(word) - len(enclitic) >= 3:
            base = fold(word[: -len(enclitic)])
            if base in es or (base.endswith(("ar", "er", "ir", "ando", "iendo")) and _known(base, accepted)):
                return True
    for ending, replacements in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: -len(ending)]
            if any(stem + r in es for r in replacements):
                return True
    return False


def misspellings(text: str, accepted: frozenset[str] = frozenset()) -> list[str]:
    """Words that look like typos: unknown in Spanish and English, not names, with a known correction."""
    es, _en = _dictionaries()
    found = []
    for match in _WORD.finditer(text):
        word = match.group(0)
        if len(word) < 4 or (word[0].isupper() and match.start() > 0) or word.isupper():
            continue
        lower = word.lower()
        if _known(lower, accepted):
            continue
        if es.correction(lower) not in (None, lower):
            found.append(word)
    return found


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.6


def reply_findings(body: str) -> list[Finding]:
    """Everything the checks have to say about ``body``, in the CM's modes."""
    modes = {check.kind: check for check in ReplyCheck.objects.all()}
    findings: list[Finding] = []

    def mode(kind: str) -> str:
        check = modes.get(kind)
        return check.mode if check else ReplyCheck.Mode.WARN

    folded = fold(body)
    words = set(_WORD.findall(folded))
    if mode("spelling") != "off":
        accepted = frozenset(fold(w.strip()) for w in (modes["spelling"].words if "spelling" in modes else "").split())
        typos = misspellings(body, accepted)
        if typos:
            findings.append(
                Finding(
                    "spelling",
                    _("Check the spelling: %(words)s.") % {"words": ", ".join(typos[:8])},
                    mode("spelling") == "block",
                )
            )
    if mode("sensitive") != "off":
        for topic in SensitiveTopic.objects.filter(active=True):
            hits = [
                w
                for w in (line.strip() for line in topic.words.splitlines())
                if w and _mentions(folded, words, fold(w))
            ]
            if hits:
                findings.append(
                    Finding(
                        "sensitive",
                        _("Sensitive topic (%(topic)s): %(words)s. The brand does not talk about it in public.")
                        % {"topic": topic.name, "words": ", ".join(hits[:5])},
                        mode("sensitive") == "block",
                    )
                )
    if mode("tone") != "off":
        extra = frozenset(fold(w) for w in (modes["tone"].words if "tone" in modes else "").split())
        insults = sorted(words & (_INSULTS | extra))
        reasons = []
        if insults:
            reasons.append(_("insults (%(words)s)") % {"words": ", ".join(insults)})
        if _shouting(body):
            reasons.append(_("written in capitals"))
        if re.search(r"[!¡]{3,}|[?¿]{3,}", body):
            reasons.append(_("runs of exclamation marks"))
        if reasons:
            findings.append(
                Finding(
                    "tone",
                    _("Aggressive tone: %(reasons)s.") % {"reasons": "; ".join(reasons)},
                    mode("tone") == "block",
                )
            )
    return findings


def _mentions(folded: str, words: set[str], term: str) -> bool:
    if " " in term:
        return re.search(r"(?<!\w)" + re.escape(term).replace(r"\ ", r"\s+") + r"(?!\w)", folded) is not None
    return term in words


def blocking_reasons(body: str) -> list[str]:
    return [finding.message for finding in reply_findings(body) if finding.blocking]
