"""Rules: order, matching (accents, capitals, phrases, regex, channel, visibility, authors, sentiment), reasons."""

import pytest

from inbox.models import ConversationEvent
from protocols.matching import Condition, fold, match
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
