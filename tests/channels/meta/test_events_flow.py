"""Meta events end to end: delivered, drained, and what the inbox shows."""

import json
from pathlib import Path

import pytest
from django.test import TestCase

from inbox.models import Contact, Conversation, ConversationEvent, ItemLookup, Message
from inbox.services import contacts as contact_service
from tests.channels.meta.conftest import PAGE_ID

pytestmark = pytest.mark.django_db
VARIANTS = Path(__file__).parent / "fixtures" / "variants"
PSID = "7216093241750001"
IGSID = "1784140000000099"


def variant(name: str) -> dict:
    return json.loads((VARIANTS / f"{name}.json").read_text())


def test_a_photo_only_comment_is_a_message_with_its_photo_that_needs_a_reply(deliver_meta, page):
    assert deliver_meta(variant("feed_comment_photo_only")).status_code == 200
    message = Message.objects.get(external_id="fb-comment:222_3332")
    assert message.body == "" and message.attachments[0]["type"] == "image"
    conversation = message.conversation
    assert conversation.requires_reply and conversation.snippet == "[image]"


def test_one_bad_entry_does_not_cost_its_neighbours(deliver_meta, page):
    deliver_meta(variant("messenger_mixed_good_and_bad"))
    assert set(Message.objects.values_list("external_id", flat=True)) == {"fb-mid:m_good1", "fb-mid:m_good2"}


def test_messenger_senders_get_their_names_and_keep_them(deliver_meta, page, fake_graph):
    fake_graph.profiles[PSID] = {"first_name": "Ana", "last_name": "García", "profile_pic": "https://x/p.jpg"}
    deliver_meta(variant("messenger_text"))
    contact = Contact.objects.get(external_id=PSID)
    assert contact.display_name == "Ana García" and contact.profile_fetched_at is not None
    assert any(r.get("fields") == "first_name,last_name,profile_pic" for r in fake_graph.requests)
    deliver_meta(variant("messenger_image"))  # a later id-only message never wipes the name
    contact.refresh_from_db()
    assert contact.display_name == "Ana García"


def test_instagram_senders_are_looked_up_by_name_and_username(deliver_meta, instagram, fake_graph):
    fake_graph.profiles[IGSID] = {"name": "Rosa Pérez", "username": "rosa.perez", "profile_pic": "https://x/p.jpg"}
    deliver_meta(variant("instagram_text"))
    contact = Contact.objects.get(external_id=IGSID)
    assert (contact.display_name, contact.handle) == ("Rosa Pérez", "@rosa.perez")


def test_a_failed_profile_read_never_blocks_ingest_and_is_not_retried_when_permanent(deliver_meta, page):
    deliver_meta(variant("messenger_text"))  # the fake Graph API has no such profile: code 100
    contact = Contact.objects.get(external_id=PSID)
    assert Message.objects.filter(author_contact=contact).exists()
    assert contact.display_name == "" and contact.profile_fetched_at is not None


def test_the_sweep_reads_profiles_a_lost_task_left(deliver_meta, page, fake_graph):
    fake_graph.profiles[PSID] = {"first_name": "Ana", "last_name": "García"}
    body = json.dumps(variant("messenger_text")).encode()
    from tests.conftest import sign

    with TestCase.captureOnCommitCallbacks(execute=False):  # the broker lost the tasks
        from django.test import Client

        Client().post(
            "/webhooks/meta/",
            data=body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=sign("meta-app-secret", body),
        )
    from inbox.services.ingest import inbound_events_drain

    with TestCase.captureOnCommitCallbacks(execute=False):
        inbound_events_drain()
    contact = Contact.objects.get(external_id=PSID)
    assert contact.profile_fetched_at is None and contact.display_name == ""
    assert contact_service.contact_profiles_fetch() == 1
    contact.refresh_from_db()
    assert contact.display_name == "Ana García"


def test_postbacks_and_quick_replies_are_messages_with_their_titles(deliver_meta, page):
    deliver_meta(variant("messenger_postback"))
    deliver_meta(variant("messenger_quick_reply"))
    bodies = set(Message.objects.values_list("body", flat=True))
    assert bodies == {"Hablar con una persona", "Sí, llamadme"}
    assert Conversation.objects.get().thread_key == f"fb-user:{PSID}"


def test_standby_messages_are_kept_and_handovers_noted(deliver_meta, page):
    deliver_meta(variant("messenger_standby"))
    deliver_meta(variant("messenger_pass_thread_control"))
    deliver_meta(variant("messenger_pass_thread_control"))  # redelivered: noted once
    conversation = Conversation.objects.get()
    note = Message.objects.get(direction=Message.Direction.NOTE)
    assert note.conversation == conversation and "263902037430900" in note.body
    assert ConversationEvent.objects.filter(kind="note_added", conversation=conversation).count() == 1
    assert Message.objects.filter(direction="in").get().body == "¿Hay alguien?"


def test_instagram_edits_and_unsends_apply_to_the_message(deliver_meta, instagram):
    deliver_meta(variant("instagram_text"))
    deliver_meta(variant("instagram_message_edit"))
    message = Message.objects.get()
    assert message.body == "¿Tenéis la talla L?" and message.edited_at is not None
    deliver_meta(variant("instagram_deleted"))
    message.refresh_from_db()
    assert message.removed_at is not None and message.body == "¿Tenéis la talla L?"  # the text is kept


def test_reads_reactions_and_unsupported_create_nothing(deliver_meta, page, instagram):
    for name in ("messenger_read", "messenger_delivery", "messenger_reaction", "messenger_echo"):
        assert deliver_meta(variant(name)).status_code == 200
    deliver_meta(variant("instagram_unsupported"))
    deliver_meta(variant("instagram_seen"))
    assert not Message.objects.exists() and not Conversation.objects.exists()


def test_instagram_mentions_fetch_the_mentioning_comment(deliver_meta, instagram, fake_graph):
    fake_graph.mentioned["17865799348089050"] = {
        "id": "17865799348089050",
        "text": "@laespiga ¡el mejor pan!",
        "username": "foodie_zgz",
        "timestamp": "2026-11-25T10:00:00+0000",
        "media": {"id": "17900000000000020", "permalink": "https://www.instagram.com/p/abc/"},
    }
    deliver_meta(variant("instagram_mention_comment"))
    message = Message.objects.get(external_id="ig-comment:17865799348089050")
    assert message.body == "@laespiga ¡el mejor pan!" and message.author_contact.handle == "@foodie_zgz"
    assert message.conversation.parent_url == "https://www.instagram.com/p/abc/"
    assert ItemLookup.objects.get().settled_at is not None
    assert any("mentioned_comment.comment_id(17865799348089050)" in r.get("fields", "") for r in fake_graph.requests)


def test_a_mention_that_is_gone_is_given_up_without_a_phantom_message(deliver_meta, instagram):
    deliver_meta(variant("instagram_mention_caption"))
    lookup = ItemLookup.objects.get()
    assert lookup.settled_at is not None and lookup.last_error
    assert not Message.objects.exists()


def test_a_comment_without_author_is_its_own_contact(deliver_meta, page):
    deliver_meta(variant("feed_comment_without_from"))
    first = variant("feed_comment_without_from")
    first["entry"][0]["changes"][0]["value"]["comment_id"] = "222_9999"
    deliver_meta(first)
    assert Contact.objects.filter(external_id__startswith="unknown:").count() == 2
    assert PAGE_ID  # the page's comments thread
