"""A Google review answered from the browser: the one-star review is in the inbox
as a complaint with its stars, the gestor's public reply reaches the (fake)
Business Profile API by PUT and shows on the review, on desktop and phone."""

import pytest

from channels import polling
from demo.fakes.google_api import demo_state
from inbox.models import Message
from inbox.services.ingest import inbound_events_drain

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
REVIEW = "AbFvOqn3Gq1xYzDemoReview001"


def test_gestor_answers_a_one_star_review(signed_in, live_server, artifacts, gestor, reviews_channel, fake_google):
    fake_google.reviews = demo_state().reviews
    polling.channel_poll(channel_id=reviews_channel.pk, force=True)
    inbound_events_drain()
    conversation = Message.objects.get(external_id=REVIEW).conversation
    assert conversation.category.slug == "queja"

    page = signed_in(gestor, viewport=DESKTOP)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    assert "★☆☆☆☆ 1/5" in page.inner_text("main")
    answer = "Hola, Marta: sentimos mucho el retraso con la tarta. Te hemos escrito para compensarte."
    page.fill("#reply-body", answer)
    page.click("#composer button[type=submit].btn--primary")
    page.wait_for_selector("[data-delivery=sent]", timeout=10_000)
    puts = [r for r in fake_google.requests if r["method"] == "PUT"]
    assert [(r["path"], r["body"]) for r in puts] == [
        (f"/v4/{fake_google.location}/reviews/{REVIEW}/reply", {"comment": answer})
    ]
    on_google = next(r for r in fake_google.reviews if r["reviewId"] == REVIEW)
    assert on_google["reviewReply"]["comment"] == answer
    assert answer in page.inner_text("main")
    page.screenshot(path=str(artifacts / "e2e-review-replied-desktop.png"), full_page=True)

    phone = signed_in(gestor, viewport=PHONE)
    phone.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    phone.wait_for_selector("[data-delivery=sent]")
    assert answer in phone.inner_text("main")
    phone.screenshot(path=str(artifacts / "e2e-review-replied-phone.png"), full_page=True)
