"""Sessions end after a while without activity, and after a working day anyway."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, gestor, password, time_machine):
    time_machine.move_to("2026-03-02 08:00:00+00:00", tick=False)
    assert client.post("/accounts/login/", {"username": gestor.username, "password": password}).status_code == 302
    return client


def test_an_idle_session_expires(signed_in, time_machine, settings):
    settings.SESSION_IDLE_MINUTES = 60
    time_machine.move_to("2026-03-02 08:59:00+00:00", tick=False)
    assert signed_in.get("/").status_code == 200
    time_machine.move_to("2026-03-02 10:00:30+00:00", tick=False)  # 61.5 min after the last request
    response = signed_in.get("/teams/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fteams%2F"
    assert "_auth_user_id" not in signed_in.session


def test_activity_keeps_the_session(signed_in, time_machine):
    for minute in (40, 80, 120, 160):
        time_machine.move_to(f"2026-03-02 {8 + minute // 60:02d}:{minute % 60:02d}:00+00:00", tick=False)
        assert signed_in.get("/").status_code == 200


def test_background_polling_is_not_activity(signed_in, time_machine):
    """The inbox refreshes itself every 30 s: an unattended screen still times out."""
    for minute in range(10, 70, 10):
        time_machine.move_to(f"2026-03-02 {8 + minute // 60:02d}:{minute % 60:02d}:00+00:00", tick=False)
        assert signed_in.get("/", HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="results").status_code == 200
    time_machine.move_to("2026-03-02 09:01:30+00:00", tick=False)
    poll = signed_in.get("/", HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="results")
    assert poll.status_code == 204
    assert poll["HX-Redirect"] == "/accounts/login/"


def test_a_session_ends_after_the_maximum_age(signed_in, time_machine, settings):
    settings.SESSION_MAX_HOURS = 12
    for hour in range(8, 20):
        for minute in (30, 59):
            time_machine.move_to(f"2026-03-02 {hour:02d}:{minute:02d}:00+00:00", tick=False)
            assert signed_in.get("/").status_code == 200
    time_machine.move_to("2026-03-02 20:01:00+00:00", tick=False)
    assert signed_in.get("/").status_code == 302
