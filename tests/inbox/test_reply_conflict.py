"""No double answers: a reply says which message its writer saw last (``after``);
a reply written since is a 409 with what was said, unless ``force``. Two replies
at the same moment with the same ``after``: exactly one is queued, on
PostgreSQL and on the embedded SQLite default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from inbox.models import Conversation, Message
from inbox.services import replies as reply_services
from tests.factories import ConversationFactory, InboundMessageFactory

ROOT = Path(__file__).resolve().parents[2]


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def asked(conversation):
    return conversation.messages.get()


@pytest.mark.django_db
def test_a_reply_written_since_is_a_409_with_what_was_said_and_force_sends_anyway(conversation, asked, gestor, gestor2):
    url = f"/api/v1/conversations/{conversation.pk}/reply/"
    first = _api(gestor2).post(url, {"body": "Sí, los domingos también.", "after": asked.pk}, format="json")
    assert first.status_code == 201, first.content

    late = _api(gestor).post(url, {"body": "Sí, abrimos el domingo.", "after": asked.pk}, format="json")
    assert late.status_code == 409
    assert [r["body"] for r in late.json()["replies"]] == ["Sí, los domingos también."]
    assert "Pablo" in late.json()["detail"]  # who answered
    assert conversation.messages.filter(direction=Message.Direction.OUT).count() == 1  # nothing sent

    forced = _api(gestor).post(
        url, {"body": "Sí, abrimos el domingo.", "after": asked.pk, "force": True}, format="json"
    )
    assert forced.status_code == 201
    seen = _api(gestor).post(url, {"body": "Y festivos.", "after": forced.json()["id"]}, format="json")
    assert seen.status_code == 201  # nothing new since the newest it saw
    assert conversation.messages.filter(direction=Message.Direction.OUT).count() == 3


@pytest.mark.django_db
def test_notes_inbound_messages_and_failed_replies_are_no_conflict(conversation, asked, gestor, gestor2):
    from inbox.services.conversations import note_add

    note_add(conversation=conversation, author=gestor2, body="Lo miro yo")
    InboundMessageFactory(conversation=conversation, body="¿Hola?")
    failed = reply_services.reply_create(conversation=conversation, sender=gestor2, body="Hola")
    Message.objects.filter(pk=failed.pk).update(delivery_status=Message.DeliveryStatus.FAILED)
    reply = _api(gestor).post(
        f"/api/v1/conversations/{conversation.pk}/reply/", {"body": "Buenos días", "after": asked.pk}, format="json"
    )
    assert reply.status_code == 201


@pytest.mark.django_db
def test_without_after_a_reply_is_sent_as_before(conversation, gestor, gestor2):
    reply_services.reply_create(conversation=conversation, sender=gestor2, body="Hola")
    reply = _api(gestor).post(f"/api/v1/conversations/{conversation.pk}/reply/", {"body": "Hola"}, format="json")
    assert reply.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("after", [-1, "x", 2**63])
def test_a_bad_after_is_a_clear_400(conversation, gestor, after):
    reply = _api(gestor).post(
        f"/api/v1/conversations/{conversation.pk}/reply/", {"body": "Hola", "after": after}, format="json"
    )
    assert reply.status_code == 400
    assert "after" in reply.json()


@pytest.mark.django_db
def test_the_page_shows_the_reply_written_meanwhile_and_asks_before_sending_anyway(
    client, conversation, asked, gestor, gestor2
):
    reply_services.reply_create(conversation=conversation, sender=gestor2, body="Ya te contesto yo.")
    client.force_login(gestor)
    page = client.get(f"/conversations/{conversation.pk}/")
    assert 'name="after" value="' in page.content.decode()  # the form says what its writer saw

    url = f"/conversations/{conversation.pk}/reply/"
    refused = client.post(url, {"body": "Hola, te respondo.", "after": asked.pk})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert 'data-testid="reply-conflict"' in html and "Ya te contesto yo." in html
    assert "Hola, te respondo." in html  # the text is kept
    assert conversation.messages.filter(direction=Message.Direction.OUT).count() == 1

    sent = client.post(url, {"body": "Hola, te respondo.", "after": asked.pk, "force": "1"})
    assert sent.status_code == 302
    assert conversation.messages.filter(direction=Message.Direction.OUT).count() == 2


# --- At the same moment --------------------------------------------------------------


def race(conversation_id: int, sender_ids: list[int], after: int) -> dict[int, str]:
    """Each sender replies from its own thread and transaction, all released at
    once, with the same ``after``; the check is slowed so that, without the lock,
    both would pass it. Returns each sender's outcome: "sent" or "conflict"."""
    from django.contrib.auth import get_user_model

    real = reply_services.replies_since

    def slow(**kwargs):
        found = real(**kwargs)
        time.sleep(0.3)
        return found

    barrier = threading.Barrier(len(sender_ids))
    outcomes: dict[int, str] = {}

    def attempt(sender_id: int) -> None:
        try:
            sender = get_user_model().objects.get(pk=sender_id)
            conversation = Conversation.objects.select_related("channel", "contact").get(pk=conversation_id)
            barrier.wait(timeout=10)
            reply_services.reply_create(
                conversation=conversation, sender=sender, body="Gracias por escribirnos.", after=after
            )
            outcomes[sender_id] = "sent"
        except reply_services.ReplyConflict:
            outcomes[sender_id] = "conflict"
        except Exception as exc:
            outcomes[sender_id] = f"error: {exc!r}"
        finally:
            connection.close()

    reply_services.replies_since = slow
    try:
        threads = [threading.Thread(target=attempt, args=(sender_id,)) for sender_id in sender_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        reply_services.replies_since = real
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_replies_at_the_same_moment_on_postgresql_exactly_one_is_sent(web_channel, gestor, gestor2):
    assert connection.vendor == "postgresql"
    conversation = ConversationFactory(channel=web_channel)
    asked = InboundMessageFactory(conversation=conversation)
    outcomes = race(conversation.pk, [gestor.pk, gestor2.pk], asked.pk)
    assert sorted(outcomes.values()) == ["conflict", "sent"], outcomes
    assert conversation.messages.filter(direction=Message.Direction.OUT).count() == 1


SQLITE_RACE = """
import json
from tests.factories import ChannelFactory, ConversationFactory, InboundMessageFactory, UserFactory
from tests.inbox.test_reply_conflict import race
from django.db import connection
assert connection.vendor == "sqlite"
channel = ChannelFactory(kind="web", key="race", credentials={"secret": "s"})
conversation = ConversationFactory(channel=channel)
asked = InboundMessageFactory(conversation=conversation)
users = [UserFactory(username=f"g{i}", role="gestor") for i in range(2)]
outcomes = race(conversation.pk, [u.pk for u in users], asked.pk)
print("RESULT " + json.dumps({"outcomes": sorted(outcomes.values()),
      "sent": conversation.messages.filter(direction="out").count()}))
"""


def test_two_replies_at_the_same_moment_on_the_embedded_sqlite_default_exactly_one_is_sent(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "1",
        "SECRET_KEY": "race-only",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "MOSTRADOR_VAR_DIR": str(tmp_path / "var"),
    }
    for command in (["migrate", "--noinput"], ["shell", "-c", SQLITE_RACE]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    assert json.loads(line.removeprefix("RESULT ")) == {"outcomes": ["conflict", "sent"], "sent": 1}
