"""Every kind of page works under the Content-Security-Policy: htmx, the
countdowns, the reply box's script and the API docs load from our origin, and
Chromium reports no violation (the ``signed_in`` fixture fails on any)."""

import pytest

from teams.models import Team

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def test_pages_run_under_the_policy(signed_in, live_server, artifacts, cm, conversation, default_protocol, settings):
    settings.MOSTRADOR_2FA_REQUIRED_ROLES = []
    team = Team.objects.create(name="Atención", time_zone="Europe/Madrid")
    paths = {
        "inbox": "/",
        "conversation": f"/conversations/{conversation.pk}/",
        "rules": "/protocol/rules/",
        "rota": f"/teams/{team.pk}/rota/",
        "api-docs": "/api/docs/",
    }
    for viewport_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = signed_in(cm, viewport=viewport)
        for name, path in paths.items():
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=artifacts / f"csp-{name}-{viewport_name}.png")
        # htmx (from static) is running: typing in the reply box asks the checks endpoint.
        page.goto(f"{live_server.url}{paths['conversation']}")
        assert page.evaluate("typeof window.htmx") == "object"
        # The API docs' own start-up script (a file, not inline) drew Swagger UI.
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector(".swagger-ui .info", timeout=15000)
