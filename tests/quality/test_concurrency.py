"""At the same moment on PostgreSQL: two queue builds of a week, two supervisors on one reply."""

import threading

import pytest
from django.db import connection

from quality.models import Review, ReviewItem
from quality.services import ReviewRefused, review_create, review_queue_build
from tests.quality.helpers import CRITERIA, MONDAY, sent_reply

pytestmark = pytest.mark.django_db(transaction=True)


def together(*calls):
    """Run the calls in threads released at once; their results and errors."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def test_two_builds_of_a_week_queue_it_once(default_protocol, fake_channel, gestor):
    for n in range(6):
        sent_reply(fake_channel, gestor, f"Gracias, lo miramos ahora mismo {n}.")
    results, errors = together(*[lambda: review_queue_build(monday=MONDAY)] * 3)
    assert not errors
    assert sorted(results) == [0, 0, 3]
    assert ReviewItem.objects.count() == 3


def test_two_supervisors_reviewing_one_reply_save_one_review(default_protocol, fake_channel, gestor, supervisor, cm):
    sent_reply(fake_channel, gestor)
    review_queue_build(monday=MONDAY)
    item = ReviewItem.objects.get()
    results, errors = together(
        lambda: review_create(item=item, by=supervisor, scores=dict.fromkeys(CRITERIA, 2)),
        lambda: review_create(item=item, by=cm, scores=dict.fromkeys(CRITERIA, 1)),
    )
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], ReviewRefused)
    assert Review.objects.count() == 1
