"""The CM writes a rule in the browser, tries it, saves it; the next message follows it
and its conversation shows the deadline counting down."""

import pytest

from inbox.models import Conversation
from protocols.models import Rule

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_cm_edits_a_rule_and_the_next_message_follows_it(
    signed_in, live_server, artifacts, cm, web_channel, post_webhook, default_protocol
):
    page = signed_in(cm)

    page.click("nav >> text=Protocolo")
    page.click(".tabs >> text=Reglas")
    page.click("text=Nueva regla")
    page.fill("input[name=name]", "Alérgenos")
    page.fill("input[name=position]", "5")
    page.fill("textarea[name=keywords]", "gluten\nceliaco\nalérgenos")
    page.select_option("select[name=category]", label="Consulta")
    page.select_option("select[name=priority]", value="4")
    page.fill("input[name=tags_text]", "alergias")
    page.fill("textarea[name=text]", "¿La tarta lleva GLUTEN?")
    page.click("#try-rule")
    page.wait_for_selector("text=«gluten»")
    page.screenshot(path=str(artifacts / "e2e-rule-try.png"), full_page=True)
    page.click("button:has-text('Guardar')")
    page.wait_for_selector("text=Alérgenos")
    assert Rule.objects.get(name="Alérgenos").updated_by == cm

    form = {
        "external_id": "f-9",
        "name": "Rosa",
        "email": "rosa@example.com",
        "subject": "Tarta",
        "message": "Mi hija es celíaca: ¿la tarta de queso lleva gluten?",
    }
    assert post_webhook(web_channel, form).status_code == 202
    conversation = Conversation.objects.get(contact__email="rosa@example.com")
    assert conversation.matched_rule.name == "Alérgenos"

    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    sla = page.wait_for_selector("[data-testid=sla]")
    assert "queda" in sla.inner_text() or "min" in sla.inner_text()
    assert "Alérgenos" in page.inner_text("[data-testid=matched-rule]")
    page.screenshot(path=str(artifacts / "e2e-conversation-deadline.png"), full_page=True)


def test_gestor_inserts_a_canned_reply_sees_a_warning_and_sends(
    signed_in, live_server, artifacts, gestor, fake_channel, default_protocol
):
    from importlib import import_module

    from django.apps import apps

    from inbox.models import Message
    from protocols.models import Category
    from tests.factories import ConversationFactory, InboundMessageFactory

    import_module("protocols.migrations.0009_default_replies_and_checks").create(apps, None)
    conversation = ConversationFactory(
        channel=fake_channel, category=Category.objects.get(slug="queja"), subject="Cobro"
    )
    conversation.contact.display_name = "Rosa Pérez"
    conversation.contact.save()
    InboundMessageFactory(conversation=conversation, body="Me habéis cobrado dos veces el pedido")

    page = signed_in(gestor)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    page.click("summary:has-text('Respuestas predefinidas')")
    page.fill("input[name=q]", "cobro")
    page.click("[data-testid=canned-queja-cobro]")
    body = page.input_value("#reply-body")
    assert body.startswith("Hola, Rosa.") and "Lucía" in body
    assert "/ 280" in page.inner_text("[data-testid=counter]")  # the fake network's limit

    page.fill("#reply-body", body + " ¡¡¡Y NO VUELVA A PASAR!!!")
    page.wait_for_selector("[data-testid=finding-tone]")
    page.screenshot(path=str(artifacts / "e2e-reply-checks.png"), full_page=True)
    page.fill("#reply-body", body)
    page.click("button:has-text('Enviar respuesta')")
    page.wait_for_selector("[data-delivery=sent]", timeout=10_000)
    reply = Message.objects.get(direction=Message.Direction.OUT)
    assert reply.body == body
