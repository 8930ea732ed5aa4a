"""Listening: watches search the fake X API on schedule; counts, share of voice, send to inbox."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from inbox.models import Conversation
from listening.models import Result, Watch
from listening.services import SendRefused, result_send_to_inbox, watch_poll, watches_due
from listening.tasks import watches_poll_due_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def watches(x_channel, fake_x):
    fake_x.post("foodie", "Foodie", "La Espiga tiene el mejor pan del barrio", minutes_ago=90)
    fake_x.post("ana_b", "Ana B.", "¿Alguien sabe si La Espiga hace pan sin gluten?", minutes_ago=30)
    fake_x.post("pedro", "Pedro", "Horno Doré ha subido los precios", minutes_ago=60)
    brand = Watch.objects.create(name="La Espiga", kind="brand", query='"La Espiga" OR @laespiga', channel=x_channel)
    rival = Watch.objects.create(name="Horno Doré", kind="competitor", query='"Horno Doré"', channel=x_channel)
    return brand, rival


def test_a_watch_stores_new_results_once(watches, fake_x):
    brand, _rival = watches
    assert watch_poll(watch_id=brand.pk) == 2
    brand.refresh_from_db()
    assert brand.since_id == max(t["id"] for t in fake_x.corpus if "Espiga" in t["text"])
    assert brand.next_poll_at > timezone.now() + timedelta(minutes=59)
    question = Result.objects.get(author_handle="@ana_b")
    assert question.is_question and question.url.endswith(question.external_id)
    # Not due again yet; when due, only the new post is stored.
    assert watch_poll(watch_id=brand.pk) == 0
    fake_x.post("nuevo", "Nuevo", "Me encanta La Espiga")
    Watch.objects.filter(pk=brand.pk).update(next_poll_at=None)
    assert watch_poll(watch_id=brand.pk) == 1
    assert Result.objects.filter(watch=brand).count() == 3


def test_the_beat_runs_every_due_watch(watches):
    assert watches_poll_due_task() == 2
    assert Result.objects.count() == 3
    assert watches_due() == []


def test_a_rate_limit_waits_for_the_reset(watches, fake_x):
    brand, _rival = watches
    fake_x.rate_limited_until = time.time() + 900
    assert watch_poll(watch_id=brand.pk) == 0
    brand.refresh_from_db()
    assert "rate limit" in brand.last_error and brand.since_id == ""
    assert brand.next_poll_at > timezone.now() + timedelta(seconds=890)


def test_sending_a_question_to_the_inbox_applies_the_protocol(watches, default_protocol, gestor):
    brand, _rival = watches
    watch_poll(watch_id=brand.pk)
    question = Result.objects.get(author_handle="@ana_b")
    conversation = result_send_to_inbox(result=question, by=gestor)
    assert conversation.channel == brand.channel and not conversation.is_private
    assert conversation.category.slug == "consulta" and conversation.sla_due_at is not None
    with pytest.raises(SendRefused):
        result_send_to_inbox(result=question, by=gestor)
    assert Conversation.objects.count() == 1


def test_the_listening_page_shows_counts_share_of_voice_and_sends_to_the_inbox(
    client, watches, gestor, default_protocol
):
    for watch in watches:
        watch_poll(watch_id=watch.pk)
    client.force_login(gestor)
    html = client.get(reverse("listening:stream")).content.decode()
    assert html.count('data-testid="result"') == 3
    assert "66,7 %" in html and "33,3 %" in html  # brand 2, competitor 1
    question = Result.objects.get(author_handle="@ana_b")
    response = client.post(reverse("listening:to-inbox", args=[question.pk]))
    assert response.status_code == 302 and "/conversations/" in response["Location"]


def test_only_the_cm_edits_watches_and_the_api_gives_stats(watches, gestor, cm, x_channel):
    api = APIClient()
    api.force_authenticate(gestor)
    payload = {"name": "Gluten", "kind": "keyword", "query": "pan sin gluten", "channel": x_channel.pk}
    assert api.post("/api/v1/listening/watches/", payload, format="json").status_code == 403
    api.force_authenticate(cm)
    assert api.post("/api/v1/listening/watches/", payload, format="json").status_code == 201
    for watch in Watch.objects.all():
        watch_poll(watch_id=watch.pk)
    stats = api.get("/api/v1/listening/watches/stats/").json()
    assert {row["name"]: row["total"] for row in stats["per_watch"]} == {"La Espiga": 2, "Horno Doré": 1, "Gluten": 1}
    assert [s["kind"] for s in stats["share_of_voice"]] == ["brand", "competitor"]
