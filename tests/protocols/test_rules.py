"""Rules: order, matching (accents, capitals, phrases, regex, channel, visibility, authors, sentiment), reasons."""

import logging
import time

import pytest
from django.core.exceptions import ValidationError

from inbox.models import ConversationEvent
from protocols.matching import Condition, fold, match, pattern_error
from protocols.models import AuthorList, Category, Rule
from protocols.services import rule_try
from tests.protocols.helpers import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories(default_protocol):
    Rule.objects.all().delete()
    return {c.slug: c for c in Category.objects.all()}


def test_fold_ignores_accents_and_capitals_but_keeps_ene():
    assert fold("QUÉJA Reclamación") == "queja reclamacion"
    assert fold("Año") == "año"


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("Pongo una QUEJA formal", True),
        ("Quiero poner una quéja", True),
        ("Me quejo mucho", False),  # whole words only
        ("Hoja de  reclamaciones, por favor", True),  # phrases, any spacing
        ("I want a refund now", True),
    ],
)
def test_keywords_match_whole_words_without_accents_or_capitals(text, matches):
    condition = Condition(keywords=("queja", "hoja de reclamaciones", "refund"))
    assert (match(condition, text=text, channel_id=1, is_private=False) is not None) is matches


def test_a_rule_without_conditions_matches_nothing():
    assert match(Condition(), text="lo que sea", channel_id=1, is_private=False) is None


def test_the_first_matching_rule_wins_and_the_conversation_says_why(categories, web_channel):
    Rule.objects.create(name="Crisis", position=10, keywords="intoxicación", category=categories["crisis"], priority=4)
    Rule.objects.create(name="Quejas", position=20, keywords="queja\nfatal", category=categories["queja"], priority=3)

    conversation = deliver(web_channel, "Queja: el pan de ayer, fatal. Mi hija con intoxicacion.")

    assert conversation.category.slug == "crisis"
    assert conversation.priority == 4
    assert conversation.matched_rule.name == "Crisis"
    assert "intoxicacion" in conversation.match_reason
    event = conversation.events.get(kind=ConversationEvent.Kind.CLASSIFIED)
    assert event.data["rule"] == "Crisis"


def test_rule_order_is_the_cm_s_order(categories, web_channel):
    first = Rule.objects.create(name="Consultas", position=10, keywords="precio", category=categories["consulta"])
    Rule.objects.create(name="Quejas", position=20, keywords="precio", category=categories["queja"])
    assert deliver(web_channel, "¿Qué precio tiene?").matched_rule == first

    Rule.objects.filter(pk=first.pk).update(position=30)
    assert deliver(web_channel, "Vaya precio").category.slug == "queja"


def test_inactive_rules_are_skipped(categories, web_channel):
    Rule.objects.create(name="Quejas", keywords="queja", category=categories["queja"], active=False)
    assert deliver(web_channel, "una queja").category is None


def test_regex_channel_and_visibility(categories, web_channel, fake_channel):
    Rule.objects.create(
        name="Pedido en privado",
        pattern=r"pedido\s*#?\d{4,}",
        visibility=Rule.Visibility.PRIVATE,
        channel=web_channel,
        category=categories["consulta"],
        tags=["pedidos"],
    )
    private = deliver(web_channel, "Mi pedido #12345 no llega", private=True)
    assert private.category.slug == "consulta"
    assert private.tags == ["pedidos"]
    assert deliver(web_channel, "Mi pedido #12345 no llega", private=False).category is None
    assert deliver(fake_channel, "Mi pedido #12345 no llega", private=True).category is None


def test_author_lists_catch_the_press(categories, web_channel):
    press = AuthorList.objects.create(
        name="Prensa local", kind=AuthorList.Kind.PRESS, handles="@diario_sur\nradio_malaga"
    )
    Rule.objects.create(name="Prensa", author_list=press, priority=4, tags=["prensa"])
    conversation = deliver(web_channel, "Hola, ¿podemos hablar?", author="Diario_Sur")
    assert conversation.priority == 4
    assert "Prensa local" in conversation.match_reason
    assert deliver(web_channel, "Hola", author="vecina").priority == 2


def test_sentiment_condition(categories, web_channel):
    Rule.objects.create(name="Muy negativo", sentiment_below=-0.5, category=categories["queja"])
    assert deliver(web_channel, "Horrible, una vergüenza y un asco").category.slug == "queja"
    assert deliver(web_channel, "¡Gracias, todo genial!").category is None


def test_a_rule_never_lowers_the_category_or_priority(categories, web_channel):
    Rule.objects.create(name="Crisis", position=10, keywords="accidente", category=categories["crisis"], priority=4)
    Rule.objects.create(name="Gracias", position=20, keywords="gracias", category=categories["comentario"], priority=1)
    conversation = deliver(web_channel, "Ha habido un accidente", thread="hilo")
    conversation = deliver(web_channel, "gracias por responder", thread="hilo")
    assert conversation.category.slug == "crisis"
    assert conversation.priority == 4


def test_a_rule_can_say_no_reply_is_needed(categories, web_channel):
    Rule.objects.create(name="Gracias", keywords="gracias", category=categories["comentario"], requires_reply=False)
    conversation = deliver(web_channel, "Muchas gracias")
    assert conversation.requires_reply is False
    assert conversation.sla_due_at is None


def test_trying_a_rule_counts_the_last_30_days(categories, web_channel):
    deliver(web_channel, "El pan llegó frío, queja")
    deliver(web_channel, "Otra QUEJA más")
    deliver(web_channel, "Todo perfecto")
    trial = rule_try(condition=Condition(keywords=("queja",)), text="Esto es una queja")
    assert trial.sample_match is not None
    assert (trial.matched, trial.examined) == (2, 3)
    assert len(trial.examples) == 2


# Patterns: RE2, linear in the text, whatever the pattern.

CATASTROPHIC = r"^(a+)+$"  # on Python's re: seconds for 27 letters, minutes for a few more


def _pattern_matches(pattern: str, text: str) -> str | None:
    found = match(Condition(pattern=pattern), text=text, channel_id=1, is_private=False)
    return found.reason if found else None


@pytest.mark.parametrize("letters", [27, 40, 5000])
def test_a_catastrophic_pattern_cannot_stall_matching(letters):
    started = time.perf_counter()
    assert _pattern_matches(CATASTROPHIC, "a" * letters + "!") is None
    assert _pattern_matches(CATASTROPHIC, "A" * letters) == f"/{CATASTROPHIC}/ → «{'A' * letters}»"
    assert time.perf_counter() - started < 0.1


def test_trying_a_catastrophic_pattern_is_quick(categories, web_channel):
    deliver(web_channel, "a" * 40 + "!")
    deliver(web_channel, "aaaa")
    started = time.perf_counter()
    trial = rule_try(condition=Condition(pattern=CATASTROPHIC), text="a" * 40 + "!")
    assert time.perf_counter() - started < 0.1
    assert trial.sample_match is None
    assert (trial.matched, trial.examined) == (1, 2)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a)\1",  # back-reference
        r"(?P<x>a)(?P=x)",
        r"pedido(?=\d)",  # look-ahead
        r"(?!spam)\w+",
        r"(?<=nº)\d+",  # look-behind
        r"(?<!no )funciona",
        r"a++",  # possessive
        r"(?>ab|a)c",  # atomic
        r"\bcafé\b",  # RE2's \b is ASCII-only: never matches "café"
        r"(abc",  # not a regular expression at all
    ],
)
def test_patterns_re2_cannot_run_are_refused_on_save(categories, pattern):
    assert pattern_error(pattern)
    rule = Rule(name="Mal", pattern=pattern, category=categories["queja"])
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    message = " ".join(refused.value.message_dict["pattern"])
    assert "RE2" in message and ("keywords" in message or "palabras clave" in message)


def test_a_stored_rule_re2_cannot_run_is_skipped_and_logged(categories, web_channel, caplog):
    # Saved before patterns were checked for RE2: matches nothing, never runs on Python's re.
    Rule.objects.create(name="Antigua", position=10, pattern=r"(a)\1|(?=queja)", category=categories["crisis"])
    Rule.objects.create(name="Quejas", position=20, keywords="queja", category=categories["queja"])
    with caplog.at_level(logging.WARNING, logger="protocols.matching"):
        conversation = deliver(web_channel, "aa, una queja")
    assert conversation.category.slug == "queja"
    assert "skipped" in caplog.text and "(a)\\1" in caplog.text


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (r"pedido\s*#?\d{4,}", "Mi PEDIDO #12345", "PEDIDO #12345"),  # capitals ignored
        (r"cañón", "¡QUÉ CAÑÓN!", "CAÑÓN"),  # and accented capitals
        (r"\w+ción", "Una reclamación", "reclamación"),  # \w takes accented letters, as on re
        (r"^\w+", "Ñandú", "Ñandú"),
        (r"\w+ña", "Mañana", "Maña"),
        (r"[\w-]+@", "josé-maría@correo.es", "josé-maría@"),
        (r"\d+\s€", "son 12\u00a0€", "12\u00a0€"),  # \s takes a no-break space, as on re
        (r"\bdevolución\b", "quiero la devolución.", "devolución"),  # \b next to ASCII letters
        (r"\W+", "año—¿sí?", "—¿"),
    ],
)
def test_patterns_keep_their_meaning_for_spanish_text(pattern, text, found):
    assert pattern_error(pattern) is None
    assert _pattern_matches(pattern, text) == f"/{pattern}/ → «{found}»"
