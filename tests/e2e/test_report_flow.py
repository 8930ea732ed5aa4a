"""The owner reads the weekly report: opens it from the sidebar, goes back a week,
downloads a table as CSV; on a desktop and on a phone. And the e-mail, as a mail
client would show it."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from reports.services import report_email
from reports.weeks import Week

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(default_protocol, settings):
    settings.MOSTRADOR_2FA_REQUIRED_ROLES = []
    call_command("seed_demo", verbosity=0)
    owner = get_user_model().objects.get(username="owner")
    from tests.factories import PASSWORD

    owner.set_password(PASSWORD)
    owner.save()
    return owner


def test_the_owner_reads_the_report_changes_week_and_downloads_a_csv(signed_in, live_server, artifacts, demo):
    page = signed_in(demo, viewport={"width": 1280, "height": 800})
    page.click("[data-testid=nav-reports]")
    page.wait_for_selector("[data-testid=report-summary]")
    last = Week.last_complete(timezone.now())
    assert page.inner_text("[data-testid=report-week]") == last.label
    assert int(page.inner_text("[data-testid=kpi-conversations]")) > 10
    assert page.locator("[data-testid=channels-table] .light").count() >= 3
    assert page.locator("[data-testid=heatmap] td").count() == 7 * 24
    page.screenshot(path=str(artifacts / "e2e-report-desktop.png"), full_page=True)

    page.click("[data-testid=previous-week]")
    page.wait_for_selector(f"[data-testid=report-week]:text('{last.shift(-1).label}')")
    with page.expect_download() as download:
        page.click("[data-testid=csv-channels]")
    path = download.value.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert {"Web — Panadería La Espiga", "Web — Estación de esquí Valle Blanco"} <= {r["name"] for r in rows}
    assert download.value.suggested_filename == f"mostrador-{last.shift(-1).label}-channels.csv"

    phone = signed_in(demo, viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/reports/?week={last.label}")
    phone.wait_for_selector("[data-testid=report-summary]")
    phone.screenshot(path=str(artifacts / "e2e-report-phone.png"), full_page=True)
    phone.screenshot(path=str(artifacts / "e2e-report-phone-top.png"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.emulate_media(media="print")
    phone.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    phone.screenshot(path=str(artifacts / "e2e-report-print.png"), full_page=True)
    assert not phone.locator(".sidebar").is_visible()


def test_the_email_as_a_mail_client_shows_it(browser, artifacts, demo):
    message = report_email(user=demo, week=Week.last_complete(timezone.now()), now=timezone.now())
    html = message.alternatives[0][0]
    assert "<svg" not in html and "<script" not in html
    path = artifacts / "report-email.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 700, "height": 900})
    page.goto(path.as_uri())
    assert page.locator("text=Open the whole report").count() + page.locator("text=Abrir el informe").count() == 1
    page.screenshot(path=str(artifacts / "e2e-report-email.png"), full_page=True)
    page.close()
