import json

import pytest
from django.test import TestCase

from tests.conftest import sign

PAGE_ID = "100000000000001"
IG_ID = "17841400000000001"


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
