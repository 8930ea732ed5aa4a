import pytest

from channels.connectors.x.fake_api import FakeX, serve
from tests.factories import ChannelFactory


@pytest.fixture
def fake_x(settings):
    """A local fake X API; the X client talks to it."""
    state = FakeX()
    server = serve(state)
    host, port = server.server_address
    settings.X_API_BASE_URL = f"http://{host}:{port}"
    settings.X_CONSUMER_SECRET = "x-consumer-secret"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def x_channel(db, fake_x):
    return ChannelFactory(
        kind="x",
        name="X La Espiga",
        key="x-laespiga",
        external_account_id=fake_x.account_id,
        credentials={
            "bearer_token": "bearer",
            "consumer_key": "ck",
            "consumer_secret": "x-consumer-secret",
            "access_token": "at",
            "access_token_secret": "ats",
        },
    )


def poll(channel, *, force=True):
    """Poll a channel and run what it queues after commit (the ingest drain), as a worker would."""
    from django.test import TestCase

    from channels import polling

    with TestCase.captureOnCommitCallbacks(execute=True):
        return polling.channel_poll(channel_id=channel.pk, force=force)
