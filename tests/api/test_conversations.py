import pytest

from channels.connectors.base import ConnectorError
from demo.fakes.connector import FakeConnector
from inbox.models import Conversation, Message
from tests.factories import ConversationFactory, InboundMessageFactory

pytestmark = pytest.mark.django_db


def test_list_shape_and_no_n_plus_one(api_as, gestor, web_channel, django_assert_max_num_queries):
    for _ in range(20):
        InboundMessageFactory(conversation=ConversationFactory(channel=web_channel))
    with django_assert_max_num_queries(6):
        response = api_as(gestor).get("/api/v1/conversations/")
    body = response.json()
    assert len(body["results"]) == 20 and body["next"] is None and body["previous"] is None
    item = body["results"][0]
    assert set(item) >= {"id", "channel", "contact", "status", "assignee", "waiting_since", "first_response_at"}
    assert item["channel"]["kind"] == "web"
    assert "email" in item["contact"]


def test_list_pages_by_cursor_both_ways(api_as, gestor, web_channel):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    made = [
        ConversationFactory(channel=web_channel, thread_key=f"p{n}", waiting_since=now - timedelta(minutes=n))
        for n in range(120)
    ]
    api = api_as(gestor)
    first = api.get("/api/v1/conversations/", {"channel": web_channel.pk}).json()
    assert set(first) == {"next", "previous", "results"}
    assert first["previous"] is None and f"channel={web_channel.pk}" in first["next"]
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    assert third["next"] is None
    seen = [c["id"] for page in (first, second, third) for c in page["results"]]
    # Oldest unanswered first, each conversation exactly once.
    assert seen == [c.pk for c in reversed(made)]
    back = api.get(third["previous"]).json()
    assert [c["id"] for c in back["results"]] == [c["id"] for c in second["results"]]
    assert api.get(back["previous"]).json()["previous"] is None


def test_detail_has_the_thread(api_as, gestor, conversation):
    body = api_as(gestor).get(f"/api/v1/conversations/{conversation.pk}/").json()
    [message] = body["messages"]
    assert message["direction"] == "in"
    assert message["body"] == "¿A qué hora abrís el domingo?"
    assert message["delivery_status"] == ""


def test_filters_and_search(api_as, gestor, web_channel, fake_channel):
    mine = ConversationFactory(channel=web_channel, assignee=gestor)
    InboundMessageFactory(conversation=mine, body="Quiero una tarta de tres pisos")
    other = ConversationFactory(channel=fake_channel, thread_key="t")
    InboundMessageFactory(conversation=other, body="Forfait")
    closed = ConversationFactory(channel=web_channel, status=Conversation.Status.RESOLVED)
    api = api_as(gestor)

    def ids(**params):
        return {c["id"] for c in api.get("/api/v1/conversations/", params).json()["results"]}

    assert ids() == {mine.pk, other.pk}
    assert ids(status="resolved") == {closed.pk}
    assert ids(status="any") == {mine.pk, other.pk, closed.pk}
    assert ids(scope="mine") == {mine.pk}
    assert ids(scope="unassigned") == {other.pk}
    assert ids(channel=fake_channel.pk) == {other.pk}
    assert ids(q="tres pisos") == {mine.pk}
    assert ids(q=other.contact.display_name) == {other.pk}


def test_reply_is_created_and_sent(api_as, gestor, conversation, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(gestor).post(
            f"/api/v1/conversations/{conversation.pk}/reply/", {"body": "Abrimos a las 8."}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["direction"] == "out"
    assert response.json()["delivery_status"] == "queued"
    reply = Message.objects.get(direction="out")
    assert reply.delivery_status == "sent"
    assert len(mailoutbox) == 1


def test_too_long_reply_is_400(api_as, gestor, fake_channel):
    conversation = ConversationFactory(channel=fake_channel, thread_key="t")
    response = api_as(gestor).post(
        f"/api/v1/conversations/{conversation.pk}/reply/", {"body": "x" * 281}, format="json"
    )
    assert response.status_code == 400
    assert "281 of 280" in response.json()["body"][0]
    assert not Message.objects.filter(direction="out").exists()


def test_empty_reply_is_400(api_as, gestor, conversation):
    response = api_as(gestor).post(f"/api/v1/conversations/{conversation.pk}/reply/", {"body": ""}, format="json")
    assert response.status_code == 400


def test_assign_resolve_reopen_and_notes(api_as, supervisor, gestor2, conversation):
    api = api_as(supervisor)
    url = f"/api/v1/conversations/{conversation.pk}"
    assert api.post(f"{url}/assign/", {"assignee": gestor2.pk}, format="json").json()["assignee"]["id"] == gestor2.pk
    assert api.post(f"{url}/resolve/").json()["status"] == "resolved"
    assert api.post(f"{url}/resolve/").status_code == 409
    assert api.post(f"{url}/reopen/").json()["status"] == "open"
    note = api.post(f"{url}/notes/", {"body": "Ojo: cliente VIP"}, format="json")
    assert note.status_code == 201
    assert note.json()["direction"] == "note"
    assert api.post(f"{url}/assign/", {"assignee": None}, format="json").json()["assignee"] is None


def test_assigning_to_someone_without_a_replying_role_is_409(api_as, supervisor, owner, conversation):
    response = api_as(supervisor).post(
        f"/api/v1/conversations/{conversation.pk}/assign/", {"assignee": owner.pk}, format="json"
    )
    assert response.status_code == 409


def test_retry_only_failed(api_as, gestor, fake_channel, django_capture_on_commit_callbacks):
    conversation = ConversationFactory(channel=fake_channel, thread_key="t")
    InboundMessageFactory(conversation=conversation)
    api = api_as(gestor)
    FakeConnector.fail_with = ConnectorError("revoked", permanent=True)
    with django_capture_on_commit_callbacks(execute=True):
        message_id = api.post(
            f"/api/v1/conversations/{conversation.pk}/reply/", {"body": "Hola"}, format="json"
        ).json()["id"]
    assert Message.objects.get(pk=message_id).delivery_status == "failed"
    FakeConnector.fail_with = None
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/messages/{message_id}/retry/").status_code == 200
    assert Message.objects.get(pk=message_id).delivery_status == "sent"
    assert api.post(f"/api/v1/messages/{message_id}/retry/").status_code == 409


def test_nothing_can_be_deleted(api_as, cm, conversation, web_channel):
    api = api_as(cm)
    assert api.delete(f"/api/v1/conversations/{conversation.pk}/").status_code == 405
    assert api.delete(f"/api/v1/channels/{web_channel.pk}/").status_code == 405
    assert Conversation.objects.filter(pk=conversation.pk).exists()


@pytest.mark.parametrize("zone", [None, "UTC"])
def test_list_rows_are_what_the_declared_serializer_gives(api_as, gestor, web_channel, zone):
    """The list writes its rows by hand (``conversation_rows``, for speed); the schema
    declares ``ConversationSerializer``: both give the same keys and values."""
    from datetime import timedelta

    from django.utils import timezone

    from inbox.api.serializers import ConversationSerializer, conversation_rows
    from inbox.selectors import InboxFilters, conversation_page
    from tests.factories import UserFactory

    now = timezone.now()
    category = Conversation._meta.get_field("category").related_model.objects.order_by("pk").first()
    nameless = UserFactory(username="sin-nombre", first_name="", last_name="")
    ConversationFactory(channel=web_channel, thread_key="a", assignee=gestor, category=category, tags=["vip", "tarta"])
    ConversationFactory(
        channel=web_channel,
        thread_key="b",
        assignee=nameless,
        priority=Conversation.Priority.URGENT,
        first_response_at=now,
        last_outbound_at=now,
        sla_due_at=now + timedelta(hours=2),
        first_response_due_at=now + timedelta(hours=2),
        sla_state=Conversation.SlaState.BREACHED,
        requires_reply=False,
        match_reason="Palabra «tarta»",
    )
    ConversationFactory(channel=web_channel, thread_key="c", subject="", waiting_since=None)
    with timezone.override(zone or timezone.get_default_timezone()):
        items = conversation_page(user=gestor, filters=InboxFilters.from_params({"status": "any"})).items
        assert len(items) == 3
        assert conversation_rows(items) == ConversationSerializer(items, many=True).data
        assert api_as(gestor).get("/api/v1/conversations/", {"status": "any"}).json()["results"] == [
            dict(row) for row in ConversationSerializer(items, many=True).data
        ]
