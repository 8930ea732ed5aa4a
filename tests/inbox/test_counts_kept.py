"""The inbox's counts are kept between pages until a conversation changes.

Every change to a conversation goes through the event log, which publishes a
live change after commit; the counts are kept under the number of changes seen
(``core.live.version``), so the page after a change counts afresh and the pages
until then ask PostgreSQL nothing for them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import live
from inbox import selectors
from inbox.models import Conversation
from inbox.selectors import InboxFilters
from inbox.services import conversations as conversation_services
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def _counts(user, **filters):
    return selectors.conversation_counts(user=user, filters=InboxFilters(**filters))


def test_counts_are_kept_until_a_conversation_changes(supervisor, django_assert_num_queries):
    first = ConversationFactory(status=Conversation.Status.OPEN)
    ConversationFactory(status=Conversation.Status.NEW)
    counts = _counts(supervisor)
    assert counts.by_status["open"] == 1 and counts.by_status["new"] == 1
    with django_assert_num_queries(0):
        assert _counts(supervisor) == counts

    conversation_services.conversation_resolve(conversation=first, by=supervisor)

    after = _counts(supervisor)
    assert after.by_status["open"] == 0 and after.active == 1
    assert after.scopes["all"] == 1


def test_kept_counts_are_per_person_and_per_filter(supervisor, gestor):
    mine = ConversationFactory(status=Conversation.Status.OPEN, assignee=gestor)
    ConversationFactory(status=Conversation.Status.OPEN)
    assert _counts(gestor).scopes["mine"] == 1
    assert _counts(supervisor).scopes["mine"] == 0
    assert _counts(supervisor, channel=mine.channel_id).by_status["open"] == 1
    assert _counts(supervisor).by_status["open"] == 2


def test_a_search_is_never_kept(supervisor, django_assert_num_queries):
    ConversationFactory(status=Conversation.Status.OPEN, subject="Pan de centeno")
    _counts(supervisor, q="centeno")
    with django_assert_num_queries(2):  # the matches and the sidebar, again
        _counts(supervisor, q="centeno")


def test_without_redis_nothing_is_kept(supervisor, settings, django_assert_num_queries):
    settings.REDIS_URL = ""
    settings.MOSTRADOR_LIVE_REDIS_URL = ""
    ConversationFactory(status=Conversation.Status.OPEN)
    _counts(supervisor)
    with django_assert_num_queries(1):
        _counts(supervisor)


def test_the_sla_sweep_tells_the_pages_what_went_late(supervisor, client):
    from protocols.sla import sla_sweep

    due = timezone.now() - timedelta(minutes=1)
    ConversationFactory(status=Conversation.Status.OPEN, sla_due_at=due, sla_state=Conversation.SlaState.OK)
    client.force_login(supervisor)
    assert client.get(reverse("inbox:list")).context["scopes"]["late"] == 0
    before = live.version()
    sla_sweep()
    assert live.version() != before
    assert client.get(reverse("inbox:list")).context["scopes"]["late"] == 1


def test_the_filter_choices_follow_channels_categories_and_people(client, supervisor):
    from django.contrib.auth.models import Group

    from protocols.models import Category
    from tests.factories import ChannelFactory, UserFactory

    client.force_login(supervisor)
    client.get(reverse("inbox:list"))  # remembered
    ChannelFactory(name="Tienda de Triana")
    Category.objects.create(slug="alergenos", name="Alérgenos")
    newcomer = UserFactory(username="nuevo", first_name="Nuria", role="gestor")
    page = client.get(reverse("inbox:list")).content.decode()
    assert "Tienda de Triana</option>" in page
    assert '<option value="alergenos">Alérgenos</option>' in page
    assert f'<option value="{newcomer.pk}">Nuria</option>' in page
    newcomer.groups.remove(Group.objects.get(name="gestor"))
    assert f'<option value="{newcomer.pk}">Nuria</option>' not in client.get(reverse("inbox:list")).content.decode()
