"""The weekly review queue, scoring a reply, acknowledging a review."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from protocols.models import CaseProposal, Category, ReplyCheck
from quality.models import Criterion, QualitySettings, Review, ReviewItem, ReviewWeek
from quality.selectors import reviews_unread_count, reviews_visible
from quality.services import (
    ReviewRefused,
    criterion_add,
    review_acknowledge,
    review_create,
    review_queue_build,
    rubric,
    week_bounds,
    week_monday,
)
from quality.tasks import review_queue_build_task
from tests.quality.helpers import CRITERIA, MADRID, MONDAY, sent_reply

pytestmark = pytest.mark.django_db


def test_the_week_is_monday_to_monday_local():
    assert week_monday(datetime(2026, 11, 22, 23, 30, tzinfo=MADRID)) == MONDAY
    assert week_monday(datetime(2026, 11, 22, 23, 30, tzinfo=MADRID).astimezone(MADRID)) == MONDAY
    start, end = week_bounds(MONDAY)
    assert start == datetime(2026, 11, 16, tzinfo=MADRID) and end == datetime(2026, 11, 23, tzinfo=MADRID)


def test_the_queue_samples_each_gestor_and_adds_every_warned_reply(
    default_protocol, fake_channel, gestor, gestor2, supervisor
):
    QualitySettings.objects.update_or_create(pk=QualitySettings.current().pk, defaults={"sample_size": 2})
    ReplyCheck.objects.update_or_create(kind="tone", defaults={"mode": "warn"})
    calm = [sent_reply(fake_channel, gestor, f"Gracias, lo miramos ahora mismo {n}.") for n in range(5)]
    shouting = sent_reply(fake_channel, gestor, "NO VAMOS A DEVOLVER NADA, LEA LAS CONDICIONES!!!")
    other = sent_reply(fake_channel, gestor2)
    sent_reply(fake_channel, supervisor)  # not a gestor: not sampled
    late = sent_reply(fake_channel, gestor, at=datetime.combine(MONDAY + timedelta(days=7), time(0, 1), MADRID))

    assert review_queue_build(monday=MONDAY) == 4
    items = {item.message_id: item for item in ReviewItem.objects.all()}
    assert items[shouting.pk].reason == "check"
    assert items[shouting.pk].findings[0]["kind"] == "tone"
    assert items[other.pk].reason == "sample" and items[other.pk].gestor == gestor2
    sampled = [pk for pk, item in items.items() if item.gestor == gestor and item.reason == "sample"]
    assert len(sampled) == 2 and set(sampled) <= {m.pk for m in calm}
    assert late.pk not in items

    # Idempotent per week: a second run queues nothing, even with a bigger sample.
    QualitySettings.objects.update(sample_size=10)
    assert review_queue_build(monday=MONDAY) == 0
    assert ReviewItem.objects.count() == 4
    assert ReviewWeek.objects.get().sample_size == 2

    # Deterministic: the same replies are sampled after starting over.
    ReviewItem.objects.all().delete()
    ReviewWeek.objects.all().delete()
    QualitySettings.objects.update(sample_size=2)
    review_queue_build(monday=MONDAY)
    assert sorted(ReviewItem.objects.filter(gestor=gestor, reason="sample").values_list("message_id", flat=True)) == (
        sorted(sampled)
    )


def test_the_beat_task_queues_the_week_just_ended(default_protocol, fake_channel, gestor, time_machine):
    sent_reply(fake_channel, gestor)
    time_machine.move_to(datetime(2026, 11, 23, 7, tzinfo=MADRID), tick=False)
    assert review_queue_build_task() == 1
    assert review_queue_build_task() == 0
    assert ReviewItem.objects.get().monday == MONDAY


def _item(channel, user):
    review_queue_build(monday=MONDAY)
    return ReviewItem.objects.get(gestor=user)


def test_a_review_scores_the_rubric_and_the_gestor_acknowledges_it(
    default_protocol, fake_channel, gestor, gestor2, supervisor, owner
):
    sent_reply(fake_channel, gestor)
    item = _item(fake_channel, gestor)
    scores = dict(zip(CRITERIA, [2, 2, 1, 2, 0], strict=True))
    review = review_create(item=item, by=supervisor, scores=scores, comment="  Llegó tarde.  ")
    assert review.score == 0.7  # 7 of 10 points
    assert [s["key"] for s in review.scores] == CRITERIA
    assert review.comment == "Llegó tarde." and review.gestor == gestor and review.reviewer == supervisor
    item.refresh_from_db()
    assert item.status == "reviewed"
    assert reviews_unread_count(user=gestor) == 1

    with pytest.raises(ReviewRefused):
        review_create(item=item, by=supervisor, scores=scores)
    with pytest.raises(PermissionError):
        review_acknowledge(review=review, by=gestor2)
    with pytest.raises(PermissionError):
        review_acknowledge(review=review, by=supervisor)

    review_acknowledge(review=review, by=gestor)
    first = Review.objects.get().acknowledged_at
    assert first is not None
    assert reviews_unread_count(user=gestor) == 0
    review_acknowledge(review=review, by=gestor)
    assert Review.objects.get().acknowledged_at == first

    assert list(reviews_visible(user=gestor)) == [review]
    assert list(reviews_visible(user=gestor2)) == []
    assert list(reviews_visible(user=owner)) == [review]


@pytest.mark.parametrize(
    "scores",
    [
        {"answered": 2},  # criteria missing
        {**dict.fromkeys(CRITERIA, 2), "answered": 3},  # out of range
        {**dict.fromkeys(CRITERIA, 2), "answered": True},
        {**dict.fromkeys(CRITERIA, 2), "made_up": 1},
    ],
)
def test_a_review_must_score_every_active_criterion(default_protocol, fake_channel, gestor, supervisor, scores):
    sent_reply(fake_channel, gestor)
    item = _item(fake_channel, gestor)
    with pytest.raises(ReviewRefused):
        review_create(item=item, by=supervisor, scores=scores)
    assert not Review.objects.exists()
    item.refresh_from_db()
    assert item.status == "pending"


def test_only_supervisors_and_the_cm_review(default_protocol, fake_channel, gestor, gestor2, owner):
    sent_reply(fake_channel, gestor)
    item = _item(fake_channel, gestor)
    for person in (gestor2, owner):
        with pytest.raises(PermissionError):
            review_create(item=item, by=person, scores=dict.fromkeys(CRITERIA, 2))


def test_the_cm_edits_the_rubric(default_protocol, fake_channel, gestor, supervisor):
    assert [c.key for c in rubric()] == CRITERIA
    Criterion.objects.filter(key="spelling").update(active=False)
    added = criterion_add(label="Ofreció seguir por privado")
    assert added.key == "ofrecio-seguir-por-privado" and criterion_add(label="Ofreció seguir por privado").key.endswith(
        "-2"
    )
    Criterion.objects.filter(key__endswith="-2").update(active=False)
    sent_reply(fake_channel, gestor)
    item = _item(fake_channel, gestor)
    keys = [k for k in CRITERIA if k != "spelling"] + [added.key]
    review = review_create(item=item, by=supervisor, scores=dict.fromkeys(keys, 2))
    assert [s["key"] for s in review.scores] == keys
    assert review.score_lines()[-1]["name"] == "Ofreció seguir por privado"
    with translation.override("es"):
        assert review.score_lines()[0]["name"] == "Respondió a la pregunta"
    with translation.override("en"):
        assert review.score_lines()[0]["name"] == "Answered the question"


def test_a_review_can_propose_a_new_case_the_cm_then_accepts(default_protocol, fake_channel, gestor, supervisor, cm):
    from protocols.manual import case_decide

    sent_reply(fake_channel, gestor)
    item = _item(fake_channel, gestor)
    category = Category.objects.get(slug="queja")
    with pytest.raises(ReviewRefused):
        review_create(item=item, by=supervisor, scores=dict.fromkeys(CRITERIA, 2), case_text="Sin categoría")
    review = review_create(
        item=item,
        by=supervisor,
        scores=dict.fromkeys(CRITERIA, 2),
        case_category=category,
        case_text="Pregunta por el domingo: contestar con el horario de festivos.",
    )
    proposal = CaseProposal.objects.get()
    assert review.proposal == proposal and proposal.conversation == item.conversation
    assert proposal.status == "pending" and proposal.proposed_by == supervisor
    case_decide(proposal=proposal, accept=True, by=cm)
    assert "horario de festivos" in Category.objects.get(slug="queja").examples


def test_the_unread_badge_is_remembered(default_protocol, fake_channel, gestor, supervisor):
    sent_reply(fake_channel, gestor)
    review_create(item=_item(fake_channel, gestor), by=supervisor, scores=dict.fromkeys(CRITERIA, 2))
    assert reviews_unread_count(user=gestor) == 1
    with CaptureQueriesContext(connection) as queries:
        assert reviews_unread_count(user=gestor) == 1
    assert len(queries) == 0
