"""Inbox search: full text on PostgreSQL, kept current by the database whoever writes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from inbox import selectors
from inbox.models import Contact, Conversation, Message
from inbox.selectors import InboxFilters, search_terms
from tests.factories import ContactFactory, ConversationFactory, InboundMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def found(q: str, status: str = "any") -> set[int]:
    filters = InboxFilters(status=status, q=q)
    return {c.pk for c in selectors.conversation_page(user=None, filters=filters, size=100).items}


def thread(channel, body: str, **fields) -> Conversation:
    # A fixed name: a random one ("Domingo", "Paz") could match the words searched.
    fields.setdefault("contact", ContactFactory(channel=channel, display_name="Ana Ruiz"))
    conversation = ConversationFactory(channel=channel, **fields)
    InboundMessageFactory(conversation=conversation, body=body)
    return conversation


def test_terms_parse_words_phrases_handles_and_addresses():
    terms = search_terms('Pedido "sin  Gluten" @ana_g ana@correo.example x-1')
    assert terms.words == ("pedido", "x", "1")
    assert terms.phrases == (("sin", "gluten"),)
    assert terms.handles == ("ana_g",)
    assert terms.emails == ("ana@correo.example",)
    assert terms.tsquery() == "'pedido':* & 'x':* & '1':* & ('sin' <-> 'gluten') & 'ana@correo.example'"
    assert not search_terms('!!! ""')


def test_words_match_their_start_whatever_accents_and_case(web_channel):
    lost = thread(web_channel, "Mi PEDIDO no llegó a Getafe")
    thread(web_channel, "¿Abrís el domingo?", thread_key="other")
    assert found("pedido") == {lost.pk}
    assert found("pedid llego") == {lost.pk}
    assert found("LLEGÓ getafe") == {lost.pk}
    assert found("pedido domingo") == set()


def test_a_quoted_phrase_matches_those_words_together_in_order(web_channel):
    gluten = thread(web_channel, "¿Tenéis pan sin gluten el domingo?")
    thread(web_channel, "Sin pan, con gluten", thread_key="scrambled")
    assert found('"pan sin gluten"') == {gluten.pk}
    assert found("pan gluten") == {gluten.pk, Conversation.objects.get(thread_key="scrambled").pk}


def test_a_handle_and_an_address_match_exactly(web_channel):
    ana = thread(web_channel, "Hola", contact=ContactFactory(channel=web_channel, handle="ana_g", email="a@x.example"))
    longer = thread(
        web_channel,
        "Hola",
        thread_key="t2",
        contact=ContactFactory(channel=web_channel, handle="ana_gomez", email="ana.gomez@x.example"),
    )
    assert found("@ana_g") == {ana.pk}
    assert found("@ANA_GOMEZ") == {longer.pk}
    assert found("ana.gomez@x.example") == {longer.pk}
    assert found("@ana") == set()


def test_the_document_follows_every_writer(web_channel, gestor):
    conversation = thread(web_channel, "Primera consulta", subject="Tarta de boda")
    assert found("boda") == {conversation.pk}
    # A later inbound message, a reply and a note, inserted in one statement.
    Message.objects.bulk_create(
        [
            Message(conversation=conversation, channel=web_channel, direction="in", body="Y unas croquetas",
                    created_at=timezone.now()),
            Message(conversation=conversation, channel=web_channel, direction="out", body="Claro, apuntado",
                    sender=gestor, created_at=timezone.now()),
            Message(conversation=conversation, channel=web_channel, direction="note", body="Cliente VIP",
                    sender=gestor, created_at=timezone.now()),
        ]
    )  # fmt: skip
    assert found("croquetas apuntado vip") == {conversation.pk}
    # The contact changes their name; the subject changes; an item is edited on the network.
    Contact.objects.filter(pk=conversation.contact_id).update(display_name="Ramona Flores")
    Conversation.objects.filter(pk=conversation.pk).update(subject="Boda en mayo")
    Message.objects.filter(body="Primera consulta").update(body="Primera consulta, corregida")
    assert found("ramona") == found("mayo") == found("corregida") == {conversation.pk}
    assert found("primera croquetas") == {conversation.pk}  # and nothing earlier was forgotten


def test_results_come_newest_first_and_page_by_cursor(web_channel):
    now = timezone.now()
    made = [
        thread(web_channel, f"Pedido número {n}", thread_key=f"n{n}", last_inbound_at=now - timedelta(hours=n))
        for n in range(7)
    ]
    filters = InboxFilters(status="any", q="pedido")
    first = selectors.conversation_page(user=None, filters=filters, size=4)
    second = selectors.conversation_page(user=None, filters=filters, size=4, after=first.next_cursor)
    assert [c.pk for c in first.items + second.items] == [c.pk for c in made]
    assert second.next_cursor is None


def test_the_page_counts_matches_and_caps_them(login, gestor, web_channel, monkeypatch):
    for n in range(3):
        thread(web_channel, "Quiero un roscón", thread_key=f"r{n}")
    thread(web_channel, "Quiero un roscón", thread_key="done", status=Conversation.Status.RESOLVED)
    client = login(gestor)
    html = client.get(reverse("inbox:list"), {"q": "roscon"}).content.decode()
    assert html.count('class="conv ') == 3  # the active tab: the resolved one is counted, not listed
    counts = selectors.conversation_counts(user=gestor, filters=InboxFilters(q="roscon"))
    assert counts.by_status == {"new": 3, "open": 0, "waiting": 0, "resolved": 1} and not counts.capped
    monkeypatch.setattr(selectors, "SEARCH_CAP", 3)
    html = client.get(reverse("inbox:list"), {"q": "roscon"}).content.decode()
    assert 'data-testid="search-capped"' in html


def test_search_runs_on_the_index(web_channel):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    thread(web_channel, "ornitorrinco")
    qs = selectors.conversation_list(user=None, filters=InboxFilters(status="any", q="ornitorrinco"))
    with connection.cursor() as cursor:
        # The plan at this size is the planner's choice; what matters is that the
        # condition is one the GIN index can answer when nothing else may.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = qs.explain()
    assert "conversation_search_idx" in plan


@pytest.mark.parametrize("q", ["%00", "\x00", "pedido\x00", "'", "a:*", "&|!()<->", '"', "@"])
def test_odd_input_is_not_an_error(login, gestor, web_channel, q):
    thread(web_channel, "pedido")
    response = login(gestor).get(reverse("inbox:list") + "?q=" + q.replace("\x00", "%00"))
    assert response.status_code == 200
    assert login(gestor).get("/api/v1/conversations/", {"q": q.replace("\x00", "")}).status_code == 200
