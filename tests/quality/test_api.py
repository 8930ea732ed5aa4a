"""/api/v1/reviews/: supervisors and the CM write; the reviewed person reads their own and acknowledges."""

import pytest
from rest_framework.test import APIClient

from protocols.models import CaseProposal
from quality.models import Review, ReviewItem
from quality.services import review_queue_build
from tests.quality.helpers import CRITERIA, MONDAY, sent_reply

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def items(default_protocol, fake_channel, gestor, gestor2):
    sent_reply(fake_channel, gestor)
    sent_reply(fake_channel, gestor2)
    review_queue_build(monday=MONDAY)
    return {item.gestor_id: item for item in ReviewItem.objects.all()}


def test_a_supervisor_reviews_and_the_gestor_reads_and_acknowledges(items, gestor, gestor2, supervisor, owner):
    queue = api(supervisor).get("/api/v1/reviews/queue/")
    assert queue.status_code == 200 and queue.json()["count"] == 2
    assert api(supervisor).get(f"/api/v1/reviews/queue/?gestor={gestor.pk}").json()["count"] == 1
    rubric = api(gestor).get("/api/v1/reviews/rubric/").json()
    assert [c["key"] for c in rubric] == CRITERIA

    item = items[gestor.pk]
    made = api(supervisor).post(
        "/api/v1/reviews/",
        {
            "item": item.pk,
            "scores": dict.fromkeys(CRITERIA, 2) | {"tone": 1},
            "comment": "Bien",
            "case_category": "consulta",
            "case_text": "Horario del domingo",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["score"] == 0.9 and body["gestor"] == gestor.pk and body["acknowledged_at"] is None
    assert body["proposal"] == CaseProposal.objects.get().pk
    again = api(supervisor).post(
        "/api/v1/reviews/", {"item": item.pk, "scores": dict.fromkeys(CRITERIA, 2)}, format="json"
    )
    assert again.status_code == 409
    assert api(supervisor).get("/api/v1/reviews/queue/").json()["count"] == 1

    review_id = body["id"]
    assert [r["id"] for r in api(gestor).get("/api/v1/reviews/").json()["results"]] == [review_id]
    assert api(gestor2).get("/api/v1/reviews/").json()["results"] == []
    assert api(gestor2).get(f"/api/v1/reviews/{review_id}/").status_code == 404
    assert api(owner).get(f"/api/v1/reviews/{review_id}/").status_code == 200
    assert api(supervisor).post(f"/api/v1/reviews/{review_id}/acknowledge/").status_code == 403
    assert api(gestor2).post(f"/api/v1/reviews/{review_id}/acknowledge/").status_code == 404
    done = api(gestor).post(f"/api/v1/reviews/{review_id}/acknowledge/")
    assert done.status_code == 200 and done.json()["acknowledged_at"]
    assert Review.objects.get().acknowledged_at is not None


def test_bad_reviews_are_refused_with_the_reason_and_change_nothing(items, gestor, supervisor):
    item = items[gestor.pk]
    for body in (
        {"item": item.pk, "scores": {"answered": 2}},
        {"item": item.pk, "scores": dict.fromkeys(CRITERIA, 5)},
        {"item": item.pk, "scores": dict.fromkeys(CRITERIA, 2), "case_text": "sin categoría"},
        {"item": 999999, "scores": dict.fromkeys(CRITERIA, 2)},
        {"scores": "x"},
    ):
        answer = api(supervisor).post("/api/v1/reviews/", body, format="json")
        assert answer.status_code == 400, (body, answer.json())
    assert not Review.objects.exists()
    assert api(supervisor).get("/api/v1/reviews/?gestor=abc").status_code == 400


def test_gestores_and_the_owner_do_not_write(items, gestor, owner):
    body = {"item": items[gestor.pk].pk, "scores": dict.fromkeys(CRITERIA, 2)}
    for person in (gestor, owner):
        assert api(person).post("/api/v1/reviews/", body, format="json").status_code == 403
    assert api(gestor).get("/api/v1/reviews/queue/").status_code == 403
    assert not Review.objects.exists()
