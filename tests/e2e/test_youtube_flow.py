"""YouTube comments from the browser: a supervisor answers a comment thread as the
channel (comments.insert reaches the fake YouTube) and hides a spam comment
(held for review on YouTube, kept here with who and why), on desktop and phone."""

from datetime import UTC, datetime

import pytest

from channels import polling
from demo.fakes.google_api import comment_resource, demo_state, thread_resource
from inbox.models import Message
from inbox.services.ingest import inbound_events_drain

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def test_supervisor_answers_a_comment_and_hides_spam(
    signed_in, live_server, artifacts, supervisor, youtube_channel, fake_google
):
    fake_google.threads = [
        *demo_state().threads,
        thread_resource(
            comment_resource(
                "UgzSpam",
                "Gana 500 € al día desde casa: bit.ly/xxxx",
                author="@ofertas",
                author_channel="UCspam0000000000000000",
                video_id="dQw4w9WgXcQ",
                published=datetime.now(UTC),
            )
        ),
    ]
    polling.channel_poll(channel_id=youtube_channel.pk, force=True)
    inbound_events_drain()
    question = Message.objects.get(external_id="UgzDemoThread001AaBbCc").conversation

    page = signed_in(supervisor, viewport=DESKTOP)
    page.goto(f"{live_server.url}/conversations/{question.pk}/")
    answer = "Usamos harina de fuerza de un molino de Teruel; la marca va en la descripción. ¡Gracias!"
    assert page.locator("input[name=private]").count() == 0  # YouTube has no private answer to a comment
    page.fill("#reply-body", answer)
    page.click("#composer button[type=submit].btn--primary")
    page.wait_for_selector("[data-delivery=sent]", timeout=10_000)
    inserts = [r["body"] for r in fake_google.requests if r["path"] == "/youtube/v3/comments"]
    assert inserts == [{"snippet": {"parentId": "UgzDemoThread001AaBbCc", "textOriginal": answer}}]
    page.screenshot(path=str(artifacts / "e2e-youtube-replied-desktop.png"), full_page=True)

    spam = Message.objects.get(external_id="UgzSpam").conversation
    phone = signed_in(supervisor, viewport=PHONE)
    phone.goto(f"{live_server.url}/conversations/{spam.pk}/")
    phone.click(".hide-box summary")
    phone.fill(".hide-box input[name=reason]", "Spam")
    phone.click(".hide-box button")
    phone.wait_for_selector(".msg__flag:has-text('Spam')")
    assert fake_google.moderation == {"UgzSpam": "heldForReview"}
    assert Message.objects.get(external_id="UgzSpam").hidden_reason == "Spam"
    phone.screenshot(path=str(artifacts / "e2e-youtube-hidden-phone.png"), full_page=True)
