"""Shared fixtures: one persona per role plus an outsider, channels, signing."""

import json

import pytest
from django.core import mail  # noqa: F401
from django.test import TestCase as _TestCase

from channels.connectors.signatures import hmac_sha256_hex
from config.celery_app import app as celery_app
from core import queue as dispatch
from demo.fakes.connector import FakeConnector
from demo.fakes.graph_api import FakeGraph
from demo.fakes.graph_api import serve as serve_graph
from demo.fakes.x_api import FakeX, serve
from tests.factories import PASSWORD, ChannelFactory, ConversationFactory, InboundMessageFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MOSTRADOR_CHANNEL_CACHE_SECONDS = 0  # tests edit channels and post at once
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # No test reaches a real network: the fakes' fixtures point the clients at them,
    # and pictures are copied only by the tests that serve them.
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"
    settings.X_API_BASE_URL = "http://127.0.0.1:9"
    settings.MOSTRADOR_COPY_MEDIA = False
    celery_app.conf.task_always_eager = True
    from django.core.cache import cache

    cache.clear()  # the local-memory cache outlives a test: counters and flags start afresh
    FakeConnector.reset()
    dispatch.reset()
    from inbox.services import ingest

    ingest._drain_pending_until = 0.0  # a drain asked for in another test is not pending here
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)  # a language a test chose does not leak into the next
    yield
    FakeConnector.reset()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def password():
    return PASSWORD


def _persona(username: str, first_name: str, role: str):
    @pytest.fixture
    def persona(db):
        return UserFactory(username=username, first_name=first_name, role=role)

    return persona


gestor = _persona("gestor1", "Lucía", "gestor")
gestor2 = _persona("gestor2", "Pablo", "gestor")
supervisor = _persona("supervisor", "Marta", "supervisor")
cm = _persona("cm", "Irene", "community_manager")
owner = _persona("owner", "Javier", "owner")


@pytest.fixture
def outsider(db):
    """Signed in, but with no Mostrador role: must be refused everywhere."""
    return UserFactory(username="outsider")


@pytest.fixture
def web_channel(db):
    return ChannelFactory(kind="web", name="Web Panadería", key="web-test", credentials={"secret": "web-secret"})


@pytest.fixture
def fake_channel(db):
    return ChannelFactory(kind="fake", name="Fake", key="fake-test", credentials={"secret": "fake-secret"})


@pytest.fixture
def conversation(web_channel):
    conversation = ConversationFactory(channel=web_channel)
    InboundMessageFactory(conversation=conversation)
    return conversation


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac_sha256_hex(secret, body)


@pytest.fixture
def post_webhook(client):
    """POST a JSON payload to a channel's webhook, signed with ``secret`` unless told otherwise."""

    def post(channel, payload, *, secret=None, signature=None, raw: bytes | None = None):
        body = raw if raw is not None else json.dumps(payload).encode()
        headers = {}
        if signature is not None:
            headers["HTTP_X_MOSTRADOR_SIGNATURE"] = signature
        elif secret is not False:
            headers["HTTP_X_MOSTRADOR_SIGNATURE"] = sign(secret or channel.credentials["secret"], body)
        return client.post(
            f"/webhooks/{channel.kind}/{channel.key}/", data=body, content_type="application/json", **headers
        )

    return post


@pytest.fixture
def default_protocol(db):
    """The categories, rules, SLA policies and escalation rules the migrations install
    (transactional tests flush them, so install them again: the functions are idempotent)."""
    from importlib import import_module

    from django.apps import apps

    import_module("protocols.migrations.0002_default_categories").create_defaults(apps, None)
    defaults = import_module("protocols.migrations.0004_default_protocol")
    defaults.create_defaults(apps, None)
    defaults.create_slas(apps, None)
    import_module("protocols.migrations.0016_low_star_reviews").create(apps, None)


@pytest.fixture
def fake_x(settings):
    """A local fake X API; the X client talks to it."""
    settings.X_CONSUMER_SECRET = "x-consumer-secret"
    yield from _served(FakeX(), serve, settings, "X_API_BASE_URL")


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


@pytest.fixture
def fake_graph(settings):
    settings.META_APP_SECRET = "meta-app-secret"
    settings.META_VERIFY_TOKEN = "meta-verify"
    yield from _served(FakeGraph(), serve_graph, settings, "META_GRAPH_BASE_URL")


@pytest.fixture
def fake_google(settings):
    """A local fake Google (OAuth, Business Profile, YouTube); the Google client talks to it."""
    from demo.fakes.google_api import FakeGoogle
    from demo.fakes.google_api import serve as serve_google

    # A token cached by an earlier test is refused (401) and refreshed: the client's own path.
    yield from _served(FakeGoogle(), serve_google, settings, "GOOGLE_API_BASE_URL")


@pytest.fixture
def reviews_channel(db, fake_google, default_protocol):
    return ChannelFactory(
        kind="google_reviews",
        name="Reseñas La Espiga",
        key="resenas-laespiga",
        external_account_id=fake_google.location,
        credentials={"client_id": "cid.apps.googleusercontent.com", "client_secret": "cs", "refresh_token": "1//rt"},
    )


@pytest.fixture
def youtube_channel(db, fake_google, default_protocol):
    return ChannelFactory(
        kind="youtube",
        name="YouTube La Espiga",
        key="youtube-laespiga",
        external_account_id=fake_google.channel_id,
        credentials={"client_id": "cid.apps.googleusercontent.com", "client_secret": "cs", "refresh_token": "1//yt"},
    )


def _meta_channel(kind: str, account: str, token: str):
    return ChannelFactory(
        kind=kind,
        name=f"{'Facebook' if kind == 'facebook' else 'Instagram'} La Espiga",
        key=f"{kind}-laespiga",
        external_account_id=account,
        credentials={"access_token": token},
    )


@pytest.fixture
def page(db, fake_graph):
    return _meta_channel("facebook", "100000000000001", "page-token")


@pytest.fixture
def instagram(db, fake_graph):
    return _meta_channel("instagram", "17841400000000001", "ig-token")


def _served(state, serve_fn, settings, setting: str):
    """Run a local fake network API for one test, with ``setting`` pointing the client at it."""
    server = serve_fn(state)
    host, port = server.server_address
    setattr(settings, setting, f"http://{host}:{port}")
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def deliver_meta(client):
    """POST a signed Meta delivery and run what it queues after commit (the ingest drain)."""

    def post(payload, *, secret="meta-app-secret", signature=None):
        body = json.dumps(payload).encode()
        header = signature if signature is not None else sign(secret, body)
        with _TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(
                "/webhooks/meta/", data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=header
            )

    return post
