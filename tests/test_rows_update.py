"""``core.db.rows_update``: many rows' fields saved in one statement."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.db import rows_update
from inbox.models import Conversation
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_nulls_dates_lists_and_keys_included():
    first, second = ConversationFactory(), ConversationFactory()
    now = timezone.now()
    first.status, first.waiting_since, first.tags, first.snippet = "open", now, ["a", "b"], "uno"
    second.status, second.waiting_since, second.tags, second.snippet = "waiting", None, [], "dos"
    second.contact_id = first.contact_id
    with CaptureQueriesContext(connection) as queries:
        assert (
            rows_update(Conversation, [first, second], ["status", "waiting_since", "tags", "snippet", "contact"]) == 2
        )
    if connection.vendor == "postgresql":
        assert len(queries) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.waiting_since, first.tags, first.snippet) == ("open", now, ["a", "b"], "uno")
    assert (second.status, second.waiting_since, second.tags, second.snippet) == ("waiting", None, [], "dos")
    assert second.contact_id == first.contact_id
    assert first.updated_at >= now - timedelta(seconds=1)


def test_nothing_to_save_costs_no_query():
    with CaptureQueriesContext(connection) as queries:
        assert rows_update(Conversation, [], ["status"]) == 0
    assert len(queries) == 0
