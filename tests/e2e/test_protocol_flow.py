"""The CM writes a rule in the browser, tries it, saves it; the next message follows it
and its conversation shows the deadline counting down."""

import pytest

from inbox.models import Conversation
from protocols.models import Rule
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_cm_edits_a_rule_and_the_next_message_follows_it(
    live_server, browser, artifacts, cm, web_channel, post_webhook, default_protocol
):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", cm.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.click("nav >> text=Protocolo")
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
    page.close()
