"""Canned replies, reply checks, versions and proposals."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import Alert
from inbox.models import Message
from protocols.canned import canned_render, canned_search
from protocols.checks import misspellings, reply_findings
from protocols.models import CannedReply, CaseProposal, Category, ProtocolChange, ReplyCheck, Rule
from tests.factories import ConversationFactory, InboundMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(default_protocol, fake_channel):
    from importlib import import_module

    from django.apps import apps

    import_module("protocols.migrations.0009_default_replies_and_checks").create(apps, None)
    conversation = ConversationFactory(channel=fake_channel, category=Category.objects.get(slug="queja"))
    conversation.contact.display_name = "Rosa Pérez"
    conversation.contact.save()
    InboundMessageFactory(conversation=conversation, body="Me habéis cobrado dos veces")
    return conversation


def test_canned_variables_are_filled(chat, gestor, settings):
    settings.MOSTRADOR_BRAND_NAME = "La Espiga"
    text = canned_render(canned=CannedReply.objects.get(slug="queja-cobro"), conversation=chat, gestor=gestor)
    assert text.startswith("Hola, Rosa.") and "— Lucía, La Espiga" in text
    custom = CannedReply(body="{contact_name} en {channel} {unknown}")
    assert canned_render(canned=custom, conversation=chat, gestor=gestor) == f"Rosa en {chat.channel.name} {{unknown}}"


def test_canned_search_puts_the_conversation_category_first(chat):
    found = canned_search(category_id=chat.category_id)
    assert {c.category.slug for c in found[:2]} == {"queja"}
    assert [c.slug for c in canned_search(q="horario")] == ["consulta-horario"]


def test_the_reply_box_lists_canned_replies_rendered(client, chat, gestor):
    client.force_login(gestor)
    html = client.get(reverse("protocols:canned-for", args=[chat.pk]) + "?q=cobro").content.decode()
    assert 'data-testid="canned-queja-cobro"' in html and "Hola, Rosa." in html


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Lo sentimos mucho, ya hemos devuelto el cargo duplicado.", set()),
        ("Lo sentimos, el qeuso lleba gluten.", {"spelling"}),
        ("Eso es cosa del gobierno y de las elecciones.", {"sensitive"}),
        ("Que Dios te bendiga", {"sensitive"}),
        ("NO VAMOS A DEVOLVER NADA, LEA LAS CONDICIONES", {"tone"}),
        ("Pues no haberlo comprado!!!", {"tone"}),
        ("No sea idiota", {"tone"}),
        ("We are sorry, the refund will arive tomorrow.", {"spelling"}),
    ],
)
def test_checks(chat, text, kinds):
    assert {f.kind for f in reply_findings(text)} == kinds


def test_everyday_spanish_is_not_a_misspelling():
    """Conjugations, plurals and nouns the small dictionary lacks are Spanish; a
    typo, or a word missing the accent it is nearly always written with, is not."""
    reply = "Perdona la espera: la tienda abre a las nueve; llegó tarde y ya estaba cerrada. Escribí dos veces."
    assert misspellings(reply) == []
    assert misspellings("Tenemos panaderias en Huesca y la tiedna de Jaca") == ["panaderias", "tiedna"]
    assert misspellings("Tu contestacion llegó porfavor") == ["contestacion", "porfavor"]


def test_accepted_words_are_not_misspellings(chat):
    assert misspellings("Nuestra trenzita es única") == ["trenzita"]
    ReplyCheck.objects.filter(kind="spelling").update(words="Trenzita")
    assert not [f for f in reply_findings("Nuestra trenzita es única") if f.kind == "spelling"]


def test_a_blocking_check_refuses_the_reply_in_the_page_and_the_api(client, chat, gestor):
    ReplyCheck.objects.filter(kind="sensitive").update(mode="block")
    client.force_login(gestor)
    response = client.post(reverse("inbox:reply", args=[chat.pk]), {"body": "Votad a quien queráis en las elecciones"})
    assert response.status_code == 422
    assert "Política" in response.content.decode()
    api = APIClient()
    api.force_authenticate(gestor)
    response = api.post(f"/api/v1/conversations/{chat.pk}/reply/", {"body": "Es culpa del gobierno"}, format="json")
    assert response.status_code == 400
    assert not Message.objects.filter(direction=Message.Direction.OUT).exists()
    # A warning only is shown but does not stop the reply.
    ReplyCheck.objects.filter(kind="sensitive").update(mode="warn")
    assert client.post(reverse("inbox:reply", args=[chat.pk]), {"body": "Es culpa del gobierno"}).status_code == 302


def test_the_checks_endpoint_renders_warnings(client, chat, gestor):
    client.force_login(gestor)
    html = client.post(reverse("protocols:checks"), {"body": "¡¡¡QUÉ PESADOS SOIS CON ESTO!!!"}).content.decode()
    assert 'data-testid="finding-tone"' in html


def test_every_rule_change_is_a_version_with_a_diff(client, chat, cm):
    client.force_login(cm)
    rule = Rule.objects.get(name="Quejas")
    data = {
        "name": "Quejas",
        "position": rule.position,
        "active": "on",
        "keywords": rule.keywords + "\ntimo",
        "visibility": "any",
        "category": rule.category_id,
        "priority": "3",
        "requires_reply": "unknown",
        "tags_text": "",
    }
    assert client.post(reverse("protocols:rule-edit", args=[rule.pk]), data).status_code == 302
    change = ProtocolChange.objects.get(model="protocols.rule", object_id=rule.pk)
    assert change.author == cm and change.action == "changed"
    assert "+" in change.diff and "timo" in change.diff
    assert "timo" in client.get(reverse("protocols:history")).content.decode()


def test_a_gestor_proposes_a_case_and_the_cm_accepts_it(client, chat, gestor, cm):
    client.force_login(gestor)
    page = client.get(reverse("protocols:propose", args=[chat.pk])).content.decode()
    assert "Me habéis cobrado dos veces" in page  # prefilled from the conversation
    client.post(
        reverse("protocols:propose", args=[chat.pk]),
        {"category": chat.category_id, "text": "Cobro doble: disculpa, devolución inmediata, aviso a contabilidad."},
    )
    proposal = CaseProposal.objects.get()
    assert proposal.conversation == chat and proposal.proposed_by == gestor
    assert client.post(reverse("protocols:decide", args=[proposal.pk]), {"accept": "1"}).status_code == 403

    client.force_login(cm)
    client.post(reverse("protocols:decide", args=[proposal.pk]), {"accept": "1"})
    category = Category.objects.get(slug="queja")
    assert "Cobro doble" in category.examples
    assert ProtocolChange.objects.filter(model="protocols.category", object_id=category.pk).exists()
    assert (
        Alert.objects.get(recipient=gestor, kind="case").text.startswith("Tu caso")
        or Alert.objects.filter(recipient=gestor, kind="case").exists()
    )
    assert "Cobro doble" in client.get(reverse("protocols:manual-category", args=["queja"])).content.decode()


def test_a_rejected_case_tells_the_proposer_why(chat, gestor, cm):
    from protocols.manual import case_decide, case_propose

    proposal = case_propose(category=chat.category, text="Regalar una tarta", by=gestor, conversation=chat)
    case_decide(proposal=proposal, accept=False, by=cm, reason="No es política de la casa")
    assert "No es política de la casa" in Alert.objects.get(recipient=gestor).text
    assert "Regalar" not in Category.objects.get(slug="queja").examples


def test_the_manual_page_shows_handling_deadlines_and_canned(client, chat, owner):
    client.force_login(owner)
    html = client.get(reverse("protocols:manual-category", args=["queja"])).content.decode()
    assert "Cobro duplicado" in html and "60" in html
    assert client.get(reverse("protocols:category-edit", args=["queja"])).status_code == 403


def test_the_manual_lists_the_escalation_that_applies(client, chat, owner):
    client.force_login(owner)
    html = client.get(reverse("protocols:manual-category", args=["crisis"])).content.decode()
    assert "los Community Managers" in html  # the crisis escalation rule (category: any)
