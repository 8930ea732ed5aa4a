import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(username="ops", is_staff=True)


def _broker_down():
    from config.celery_app import app

    class Down:
        def __enter__(self):
            self.original = app.conf.broker_url
            app.conf.broker_url = "redis://127.0.0.1:6399/0"

        def __exit__(self, *exc):
            app.conf.broker_url = self.original

    return Down()


def test_health_reports_database_and_broker_to_staff(client, staff):
    client.force_login(staff)
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


@pytest.mark.parametrize("who", ["anonymous", "outsider", "gestor"])
def test_anyone_else_learns_only_up_or_down(request, client, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    with _broker_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}  # no host, driver or error text


def test_the_health_token_header_shows_details(client, settings):
    settings.MOSTRADOR_HEALTH_TOKEN = "monitor-secret"
    assert "database" not in client.get("/healthz", HTTP_X_HEALTH_TOKEN="wrong").json()
    body = client.get("/healthz", HTTP_X_HEALTH_TOKEN="monitor-secret").json()
    assert body["database"]["ok"] is True


def test_no_health_token_configured_means_no_details_by_header(client, settings):
    settings.MOSTRADOR_HEALTH_TOKEN = ""
    assert client.get("/healthz", HTTP_X_HEALTH_TOKEN="").json() == {"status": "ok"}


def test_health_is_503_when_the_broker_is_down(client, staff):
    client.force_login(staff)
    with _broker_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True
