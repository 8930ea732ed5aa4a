import json

import pytest
from django.test import TestCase

from channels.connectors.meta.fake_graph import FakeGraph, serve
from tests.conftest import sign
from tests.factories import ChannelFactory

PAGE_ID = "100000000000001"
IG_ID = "17841400000000001"


@pytest.fixture
def fake_graph(settings):
    state = FakeGraph()
    server = serve(state)
    host, port = server.server_address
    settings.META_GRAPH_BASE_URL = f"http://{host}:{port}"
    settings.META_APP_SECRET = "meta-app-secret"
    settings.META_VERIFY_TOKEN = "meta-verify"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(db, fake_graph):
    return ChannelFactory(
        kind="facebook",
        name="Facebook La Espiga",
        key="fb-laespiga",
        external_account_id=PAGE_ID,
        credentials={"access_token": "page-token"},
    )


@pytest.fixture
def instagram(db, fake_graph):
    return ChannelFactory(
        kind="instagram",
        name="Instagram La Espiga",
        key="ig-laespiga",
        external_account_id=IG_ID,
        credentials={"access_token": "ig-token"},
    )


@pytest.fixture
def deliver_meta(client):
    """POST a signed Meta delivery and run what it queues after commit (the ingest drain)."""

    def post(payload, *, secret="meta-app-secret", signature=None):
        body = json.dumps(payload).encode()
        header = signature if signature is not None else sign(secret, body)
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(
                "/webhooks/meta/", data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=header
            )

    return post
