"""Password reset by e-mail: one answer for every address, a working link, a limit."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_login_page_links_to_the_reset(client):
    assert f'href="{RESET}"' in client.get("/accounts/login/").content.decode()


def test_a_reset_link_sets_a_new_password(client, gestor, settings):
    settings.MOSTRADOR_BASE_URL = "https://mostrador.example.com"
    gestor.email = "lucia@example.com"
    gestor.save()
    response = client.post(RESET, {"email": "Lucia@Example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lucia@example.com"]
    assert "https://mostrador.example.com/accounts/password/reset/" in message.body
    assert message.alternatives  # an HTML part too
    assert "contraseña" in message.subject.lower()  # Spanish by default

    form_page = client.get(_link(message), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Harina-Fuerte-2026", "new_password2": "Harina-Fuerte-2026"}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/complete/"
    gestor.refresh_from_db()
    assert gestor.check_password("Harina-Fuerte-2026")
    # The link works once.
    again = client.get(_link(message), follow=True)
    assert not again.context["validlink"]


def test_the_e_mail_follows_the_chosen_language(client, gestor):
    gestor.email = "lucia@example.com"
    gestor.save()
    client.cookies["django_language"] = "en"
    client.post(RESET, {"email": "lucia@example.com"})
    assert mail.outbox[0].subject == "Reset your Mostrador password"


def test_an_unknown_address_gets_the_same_answer(client, gestor):
    gestor.email = "lucia@example.com"
    gestor.save()
    known = client.post(RESET, {"email": "lucia@example.com"})
    unknown = client.post(RESET, {"email": "nobody@example.com"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1
    assert client.get(unknown["Location"]).status_code == 200


def test_at_most_five_e_mails_per_address_per_hour(client, gestor, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)
    gestor.email = "lucia@example.com"
    gestor.save()
    responses = [client.post(RESET, {"email": "lucia@example.com"}) for _ in range(7)]
    assert {r["Location"] for r in responses} == {"/accounts/password/reset/sent/"}  # nothing tells
    assert len(mail.outbox) == 5


def test_a_reset_lifts_the_lockout(client, gestor, password):
    gestor.email = "lucia@example.com"
    gestor.save()
    for i in range(5):
        client.post("/accounts/login/", {"username": gestor.username, "password": f"wrong-{i}"})
    assert client.post("/accounts/login/", {"username": gestor.username, "password": password}).status_code == 429
    client.post(RESET, {"email": "lucia@example.com"})
    form_page = client.get(_link(mail.outbox[0]), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "Harina-2026-x", "new_password2": "Harina-2026-x"})
    assert not AccessAttempt.objects.filter(username=gestor.username).exists()
    assert (
        client.post("/accounts/login/", {"username": gestor.username, "password": "Harina-2026-x"}).status_code == 302
    )


def test_a_signed_in_user_changes_the_password(client, gestor, password):
    client.force_login(gestor)
    assert 'href="/accounts/password/change/"' in client.get("/accounts/security/").content.decode()
    response = client.post(
        "/accounts/password/change/",
        {"old_password": password, "new_password1": "Masa-Madre-2026", "new_password2": "Masa-Madre-2026"},
    )
    assert response.status_code == 302
    gestor.refresh_from_db()
    assert gestor.check_password("Masa-Madre-2026")
    assert client.get("/").status_code == 200  # still signed in
