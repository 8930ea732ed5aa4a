"""The Content-Security-Policy allows no inline script: no page may need one."""

import re

import pytest

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)


def pages(conversation, team_id):
    return [
        "/",
        f"/conversations/{conversation.pk}/",
        "/channels/",
        f"/channels/{conversation.channel.pk}/",
        "/channels/new/",
        "/protocol/rules/",
        "/protocol/rules/new/",
        "/protocol/deadlines/",
        "/protocol/manual/",
        "/protocol/replies/",
        "/protocol/history/",
        "/teams/",
        f"/teams/{team_id}/rota/",
        "/listening/",
        "/alerts/",
        "/accounts/security/",
        "/accounts/security/two-factor/",
        "/accounts/password/change/",
        "/api/docs/",
    ]


def assert_no_inline_code(path, html):
    assert not INLINE_SCRIPT.search(html), f"{path}: inline <script>: {INLINE_SCRIPT.search(html).group(0)}"
    assert not EVENT_HANDLER.search(html), f"{path}: inline event handler: {EVENT_HANDLER.search(html).group(0)}"
    assert not JS_URL.search(html), f"{path}: javascript: URL"


def test_pages_have_no_inline_scripts_and_send_the_policy(client, cm, conversation, settings, default_protocol):
    from teams.models import Team

    settings.MOSTRADOR_2FA_REQUIRED_ROLES = []
    team = Team.objects.create(name="Atención", time_zone="Europe/Madrid")
    client.force_login(cm)
    for path in pages(conversation, team.pk):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "script-src 'self'" in response["Content-Security-Policy"], path
        assert_no_inline_code(path, response.content.decode())


def test_anonymous_pages_have_no_inline_scripts(client):
    for path in ["/accounts/login/", "/accounts/password/reset/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Content-Security-Policy" in response
        assert_no_inline_code(path, response.content.decode())
