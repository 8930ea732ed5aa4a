"""A supervisor reviews a reply from the queue; the gestor sees the review (a badge
in the sidebar, "My reviews") and acknowledges it. On a desktop and on a phone."""

import pytest

from quality.models import Review
from quality.services import review_queue_build
from tests.quality.helpers import MONDAY, sent_reply

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def open_nav(page, device: str, testid: str):
    """Follow a sidebar link; on a phone the sidebar opens from the ☰ menu first."""
    if device == "phone":
        page.click(".topbar__menu")
    page.click(f"[data-testid={testid}]")
    page.wait_for_load_state()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_supervisor_reviews_a_reply_and_the_gestor_acknowledges_it(
    signed_in, artifacts, default_protocol, fake_channel, gestor, supervisor, settings, device
):
    settings.MOSTRADOR_2FA_REQUIRED_ROLES = []
    sent_reply(fake_channel, gestor, "Hola, sí abrimos el domingo de nueve a dos. ¡Os esperamos!")
    review_queue_build(monday=MONDAY)
    viewport = VIEWPORTS[device]

    page = signed_in(supervisor, viewport=viewport)
    open_nav(page, device, "nav-quality")
    page.wait_for_selector("[data-testid=queue-item]")
    assert "sí abrimos el domingo" in page.inner_text("[data-testid=review-queue]")
    page.screenshot(path=str(artifacts / f"e2e-quality-queue-{device}.png"), full_page=True)
    page.click("[data-testid=review-item]")
    page.wait_for_selector("[data-testid=review-form]")
    assert "¿Abrís el domingo?" in page.inner_text("[data-testid=review-thread]")
    for name, value in [("answered", 2), ("tone", 2), ("protocol", 1), ("spelling", 2), ("on_time", 2)]:
        page.check(f"input[name=score_{name}][value='{value}']")
    page.fill("textarea[name=comment]", "Bien, pero ofrece seguir por privado la próxima vez.")
    page.screenshot(path=str(artifacts / f"e2e-quality-review-{device}.png"), full_page=True)
    page.click("[data-testid=save-review]")
    page.wait_for_selector(".flash--success")
    assert page.locator("[data-testid=queue-item]").count() == 0
    assert "90 %" in page.inner_text("[data-testid=reviews-done]")
    if device == "desktop":
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    else:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    # The score feeds the weekly report of the week the reply was sent.
    page.goto(f"{page.url.split('/quality/')[0]}/reports/?week=2026-W47")
    page.wait_for_selector("[data-testid=gestores-table]")
    assert page.inner_text(f"[data-testid=quality-{gestor.pk}]").startswith("90")
    page.locator("[data-testid=gestores-table]").screenshot(path=str(artifacts / f"e2e-quality-report-{device}.png"))

    mine = signed_in(gestor, viewport=viewport)
    if device == "phone":
        mine.click(".topbar__menu")
    assert mine.inner_text("[data-testid=unread-reviews]") == "1"
    mine.click("[data-testid=nav-my-reviews]")
    mine.wait_for_selector("[data-testid=my-review]")
    assert mine.inner_text("[data-testid=review-score]") == "90 %"
    assert "ofrece seguir por privado" in mine.inner_text("[data-testid=review-comment]")
    mine.screenshot(path=str(artifacts / f"e2e-quality-mine-{device}.png"), full_page=True)
    mine.click("[data-testid=acknowledge]")
    mine.wait_for_selector("[data-testid=acknowledged]")
    assert mine.locator("[data-testid=unread-reviews]").count() == 0
    assert Review.objects.get().acknowledged_at is not None
    assert mine.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    mine.screenshot(path=str(artifacts / f"e2e-quality-acknowledged-{device}.png"), full_page=True)
