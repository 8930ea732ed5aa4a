"""The queue, the review form, "My reviews" with its badge, the rubric page."""

import pytest
from django.test import Client

from quality.models import Criterion, QualitySettings, Review, ReviewItem
from quality.services import review_queue_build
from tests.quality.helpers import CRITERIA, MONDAY, sent_reply

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_review_from_the_queue_then_the_gestor_acknowledges(default_protocol, fake_channel, gestor, supervisor):
    sent_reply(fake_channel, gestor, "Gracias por escribir, lo miramos hoy mismo.")
    review_queue_build(monday=MONDAY)
    item = ReviewItem.objects.get()
    page = signed_in(supervisor).get("/quality/")
    assert page.status_code == 200 and b"lo miramos hoy mismo" in page.content

    form = signed_in(supervisor).get(f"/quality/items/{item.pk}/")
    assert form.status_code == 200 and "¿Abrís el domingo?" in form.content.decode()
    missing = signed_in(supervisor).post(f"/quality/items/{item.pk}/", {"score_answered": "2"})
    assert missing.status_code == 200 and not Review.objects.exists()
    data = {f"score_{key}": "2" for key in CRITERIA} | {"score_tone": "1", "comment": "Un poco seco."}
    saved = signed_in(supervisor).post(f"/quality/items/{item.pk}/", data)
    assert saved.status_code == 302
    review = Review.objects.get()
    assert review.score == 0.9 and review.comment == "Un poco seco."

    mine = signed_in(gestor).get("/quality/mine/")
    html = mine.content.decode()
    assert 'data-testid="unread-reviews">1<' in html and "Un poco seco." in html
    assert signed_in(supervisor).post(f"/quality/reviews/{review.pk}/acknowledge/").status_code == 403
    assert signed_in(gestor).post(f"/quality/reviews/{review.pk}/acknowledge/").status_code == 302
    html = signed_in(gestor).get("/quality/mine/").content.decode()
    assert 'data-testid="unread-reviews"' not in html and 'data-testid="acknowledged"' in html


def test_the_cm_edits_the_rubric_and_the_sample_size(default_protocol, cm):
    page = signed_in(cm).get("/quality/rubric/")
    assert page.status_code == 200
    criteria = list(Criterion.objects.all())
    data = {
        "settings-sample_size": "5",
        "criteria-TOTAL_FORMS": str(len(criteria)),
        "criteria-INITIAL_FORMS": str(len(criteria)),
        "new-label": "Ofreció seguir por privado",
    }
    for n, c in enumerate(criteria):
        data |= {f"criteria-{n}-id": str(c.pk), f"criteria-{n}-label": c.label, f"criteria-{n}-position": str(n)}
        if c.key != "spelling":
            data[f"criteria-{n}-active"] = "on"
    assert signed_in(cm).post("/quality/rubric/", data).status_code == 302
    assert QualitySettings.current().sample_size == 5
    assert not Criterion.objects.get(key="spelling").active
    assert Criterion.objects.filter(label="Ofreció seguir por privado", active=True).exists()
