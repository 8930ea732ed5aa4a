"""Connectors own their edges: routes, webhook URLs and set-up pages come from
the registry, and generic code never tests a network's kind."""

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse

from channels.connectors.registry import CONNECTORS, connector_class, kinds
from channels.models import InboundEvent
from tests.factories import ChannelFactory

ROOT = Path(__file__).resolve().parents[2]
NETWORK_KINDS = set(CONNECTORS) | {"fake"}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [*sorted(CONNECTORS), "fake"])
def test_the_api_and_the_page_show_the_same_webhook_url_and_it_answers(client, cm, kind):
    channel = ChannelFactory(kind=kind, key=f"{kind}-edge", external_account_id=f"acct-{kind}")
    client.force_login(cm)
    api_url = client.get(f"/api/v1/channels/{channel.pk}/").json()["webhook_url"]
    page = client.get(reverse("channels:detail", args=[channel.pk])).content.decode()
    if not connector_class(kind).supports_webhooks:
        assert api_url is None
        return
    assert api_url.startswith("http://testserver/webhooks/")
    assert f'data-testid="webhook-url">{api_url}<' in page
    # The URL exists and reaches the network's handler: an unsigned delivery is
    # refused as forged (403) and recorded, not lost in a 404.
    client.logout()
    response = client.post(api_url, data=b'{"x": 1}', content_type="application/json")
    assert response.status_code == 403, response.content
    assert InboundEvent.objects.filter(status=InboundEvent.Status.REJECTED).count() == 1


@pytest.mark.django_db
def test_an_app_level_network_has_no_per_channel_url(client):
    """Posting an X delivery to /webhooks/x/<key>/ is refused as from nobody: X delivers to /webhooks/x/."""
    channel = ChannelFactory(kind="x", key="x-edge", external_account_id="42")
    response = client.post(f"/webhooks/x/{channel.key}/", data=b"{}", content_type="application/json")
    assert response.status_code == 403
    assert "No active x channel" in InboundEvent.objects.get().error


@pytest.mark.django_db
def test_the_cm_sets_up_every_network_with_a_set_up_form(client, cm):
    client.force_login(cm)
    listing = client.get(reverse("channels:list")).content.decode()
    for kind in kinds():
        page = client.get(reverse("channels:create") + f"?kind={kind}")
        if connector_class(kind).setup_form:
            assert page.status_code == 200, kind
            assert str(connector_class(kind).setup_title) in page.content.decode()
            assert f"?kind={kind}" in listing
        else:
            assert page.status_code == 404, kind


def _kind_tests(tree: ast.AST) -> list[str]:
    """Comparisons of something with a network's kind name: ``x.kind == "x"``, ``kind in ("facebook", …)``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            names = [c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
            if any(n in NETWORK_KINDS for n in names) and "kind" in ast.unparse(node):
                found.append(ast.unparse(node))
    return found


def test_generic_code_never_tests_a_network_kind():
    offenders = []
    for app in ["core", "channels", "inbox", "protocols", "teams", "reports"]:
        for path in (ROOT / app).rglob("*.py"):
            if "connectors" in path.parts or "migrations" in path.parts:
                continue
            offenders += [f"{path.relative_to(ROOT)}: {t}" for t in _kind_tests(ast.parse(path.read_text()))]
        for path in (ROOT / app).rglob("*.html"):
            for match in re.finditer(r"kind\s*[!=]=\s*['\"](\w+)['\"]", path.read_text()):
                if match.group(1) in NETWORK_KINDS:
                    offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []
    assert _kind_tests(ast.parse('if channel.kind == "x": pass')) == ["channel.kind == 'x'"]
