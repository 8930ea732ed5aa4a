"""Through a real Celery worker and Redis: a signed webhook becomes a message,
and a reply leaves through the worker exactly once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from kombu import pools as kombu_pools

from config.celery_app import app as celery_app
from core import queue as dispatch
from inbox.models import Message
from inbox.services import replies
from tests.factories import ChannelFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB_URL = "redis://127.0.0.1:6379/5"


def _use_broker(url: str, *, eager: bool) -> tuple[str, bool]:
    """Point this process's Celery app at ``url``; return what it used before."""
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = eager
    # Pools keep the old URL: drop them so the next publish connects anew.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # kombu keeps process-wide connection and producer pools keyed by URL;
    # closing the app's pool can leave a closed one there for the next publish.
    kombu_pools.reset()
    return previous


def _wait_for(predicate, timeout=30.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


@pytest.fixture
def redis_broker(settings):
    try:
        client = redis.Redis.from_url(REDIS_DB_URL, socket_connect_timeout=2)
        client.flushdb()
    except redis.RedisError as exc:  # pragma: no cover - make test starts Redis
        pytest.skip(f"Redis is not reachable: {exc}")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_DB_URL}}
    previous = _use_broker(REDIS_DB_URL, eager=False)
    yield client
    _use_broker(previous[0], eager=previous[1])


@pytest.fixture
def worker(redis_broker, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the PostgreSQL test database")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": REDIS_DB_URL,
        "CELERY_BROKER_URL": REDIS_DB_URL,
        "DEBUG": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "MOSTRADOR_VAR_DIR": str(tmp_path / "var"),
        "CONN_MAX_AGE": "0",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    ready = _wait_for(lambda: "ready" in (tmp_path / "worker.log").read_text(), timeout=30)
    try:
        assert ready, (tmp_path / "worker.log").read_text()[-3000:]
        yield {"mail_dir": tmp_path / "var" / "sent-mail", "log": tmp_path / "worker.log"}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_webhook_to_inbox_and_reply_out_through_a_real_worker(worker, post_webhook):
    channel = ChannelFactory(kind="web", key="web-int", credentials={"secret": "int-secret"})
    gestor = UserFactory(username="gestor-int", role="gestor")
    form = {"external_id": "int-1", "name": "Ana", "email": "ana@example.com", "subject": "Tarta", "message": "¿Tarta?"}

    response = post_webhook(channel, form)
    assert response.status_code == 202
    arrived = _wait_for(lambda: Message.objects.filter(direction="in", external_id="int-1").exists())
    assert arrived, worker["log"].read_text()[-3000:]

    message = Message.objects.get(external_id="int-1")
    reply = replies.reply_create(conversation=message.conversation, sender=gestor, body="Sí, de chocolate.")
    sent = _wait_for(lambda: Message.objects.get(pk=reply.pk).delivery_status == "sent")
    assert sent, worker["log"].read_text()[-3000:]
    # A second dispatch of the same reply sends nothing more.
    replies.reply_dispatch(message_id=reply.pk)
    time.sleep(1.5)
    mails = list(worker["mail_dir"].glob("*.log"))
    assert len(mails) == 1
    assert "Sí, de chocolate." in mails[0].read_text()


def test_broker_down_still_accepts_quickly(settings, post_webhook):
    from channels.models import InboundEvent
    from inbox.services.ingest import inbound_events_drain

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    previous = _use_broker("redis://127.0.0.1:6399/0", eager=False)  # nothing listens there
    try:
        channel = ChannelFactory(kind="web", key="web-down", credentials={"secret": "s"})
        dispatch.reset()
        started = time.monotonic()
        first = post_webhook(channel, {"email": "luis@example.com", "message": "¿Hay forfait de día?"})
        first_elapsed = time.monotonic() - started
        # The first delivery pays for finding the broker down; the next ones don't.
        started = time.monotonic()
        response = post_webhook(channel, {"email": "eva@example.com", "message": "¿Y de medio día?"})
        elapsed = time.monotonic() - started
    finally:
        _use_broker(previous[0], eager=previous[1])
    dispatch.reset()
    assert (first.status_code, response.status_code) == (202, 202)
    assert first_elapsed < 5, first_elapsed
    assert elapsed < 1, elapsed
    statuses = list(InboundEvent.objects.filter(channel=channel).values_list("status", flat=True))
    assert statuses == [InboundEvent.Status.ACCEPTED] * 2
    assert inbound_events_drain() == 2
    assert Message.objects.filter(body__in=["¿Hay forfait de día?", "¿Y de medio día?"]).count() == 2
    assert settings.CELERY_BEAT_SCHEDULE["drain-inbound-events"]["task"] == "inbox.tasks.inbound_events_drain_task"
