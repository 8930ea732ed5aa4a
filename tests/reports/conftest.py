import pytest

from reports.keeping import hours_calendar_forget


@pytest.fixture(autouse=True)
def _fresh_hours_calendar():
    """Each test reads its own calendars (ids change between tests)."""
    hours_calendar_forget()
    yield
    hours_calendar_forget()
