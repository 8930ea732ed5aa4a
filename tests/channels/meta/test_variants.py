"""Every documented Meta webhook variant (tests/channels/meta/fixtures/variants/, one file
each, shaped as Meta documents it, optional fields missing or null): parsing never
raises and each becomes what the README's Meta section says."""

import json
from pathlib import Path

import pytest

from channels.connectors.base import MalformedPayload
from channels.connectors.meta.connector import FacebookConnector, InstagramConnector
from channels.models import Channel

VARIANTS = Path(__file__).parent / "fixtures" / "variants"

# fixture → ([(kind, change, external_id, body, attachment types)], how many entries are unparsed)
EXPECTED = {
    "feed_comment": ([("", "", "fb-comment:222_3331", "¿Tenéis tienda física?", ())], 0),
    "feed_comment_edited": ([("", "edited", "fb-comment:222_3331", "¿Tenéis tienda física en Madrid?", ())], 0),
    "feed_comment_hide": ([], 0),
    "feed_comment_photo_only": ([("", "", "fb-comment:222_3332", "", ("image",))], 0),
    "feed_comment_remove": ([("", "removed", "fb-comment:222_3331", "", ())], 0),
    "feed_comment_reply": ([("", "", "fb-comment:222_3334", "A mí también me pasó", ())], 0),
    "feed_comment_video": ([("", "", "fb-comment:222_3333", "Mirad", ("video",))], 0),
    "feed_comment_without_from": ([("", "", "fb-comment:222_3335", "Sin permiso para ver quién soy", ())], 0),
    "feed_like": ([], 0),
    "feed_page_own_comment": ([], 0),
    "feed_photo": ([("", "", "fb-post:100000000000001_334", "Así llegó", ("image",))], 0),
    "feed_post_photos": ([("", "", "fb-post:100000000000001_335", "", ("image", "image"))], 0),
    "feed_post_remove": ([("", "removed", "fb-post:100000000000001_333", "", ())], 0),
    "feed_reaction": ([], 0),
    "feed_share": ([("", "", "fb-post:100000000000001_337", "Os mencionan aquí", ("link",))], 0),
    "feed_status": ([("", "", "fb-post:100000000000001_333", "El pedido llegó tarde y duro", ())], 0),
    "feed_status_edited": ([("", "edited", "fb-post:100000000000001_333", "El pedido llegó tarde", ())], 0),
    "feed_unknown_item": ([], 1),
    "feed_video": ([("", "", "fb-post:100000000000001_336", "Vídeo del problema", ("video",))], 0),
    "instagram_ad_comment": ([("", "", "ig-comment:17865799348089042", "¿Hasta cuándo?", ())], 0),
    "instagram_audio": ([("", "", "ig-mid:aWdfaudio1", "", ("audio",))], 0),
    "instagram_comment": ([("", "", "ig-comment:17865799348089039", "¿Precio?", ())], 0),
    "instagram_comment_reply": ([("", "", "ig-comment:17865799348089040", "Yo también quiero saberlo", ())], 0),
    "instagram_deleted": ([("", "removed", "ig-mid:aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAw", "", ())], 0),
    "instagram_echo": ([], 0),
    "instagram_file": ([("", "", "ig-mid:aWdffile1", "", ("file",))], 0),
    "instagram_ig_post": ([("", "", "ig-mid:aWdfpost1", "", ("link",))], 0),
    "instagram_ig_reel": ([("", "", "ig-mid:aWdfreel1", "", ("link",))], 0),
    "instagram_image": ([("", "", "ig-mid:aWdfimage1", "", ("image",))], 0),
    "instagram_live_comment": ([("", "", "ig-comment:17865799348089041", "¡Saludos!", ())], 0),
    "instagram_mention_caption": ([("mention", "", "ig-caption:17900000000000021", "", ())], 0),
    "instagram_mention_comment": ([("mention", "", "ig-comment:17865799348089050", "", ())], 0),
    "instagram_message_edit": (
        [("", "edited", "ig-mid:aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAw", "¿Tenéis la talla L?", ())],
        0,
    ),
    "instagram_messages_change": ([("", "", "ig-mid:aWdfchange1", "Hola desde el panel", ())], 0),
    "instagram_postback": ([("", "", "ig-postback:aWdfpostback1", "Ver catálogo", ())], 0),
    "instagram_quick_reply": ([("", "", "ig-mid:aWdfquick1", "Envío a domicilio", ())], 0),
    "instagram_reaction": ([], 0),
    "instagram_referral": ([], 0),
    "instagram_reply_to_message": ([("", "", "ig-mid:aWdfreply1", "Sí", ())], 0),
    "instagram_seen": ([], 0),
    "instagram_share": ([("", "", "ig-mid:aWdfshare1", "", ("link",))], 0),
    "instagram_standby": ([("", "", "ig-mid:aWdfstandby1", "¿Hola?", ())], 0),
    "instagram_story_insights": ([], 0),
    "instagram_story_mention": ([("", "", "ig-mid:aWdfstorymention1", "", ("story_mention",))], 0),
    "instagram_story_reply": ([("", "", "ig-mid:aWdfstoryreply1", "¡Qué bonito!", ("story_reply",))], 0),
    "instagram_text": (
        [("", "", "ig-mid:aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAw", "¿Tenéis la talla M?", ())],
        0,
    ),
    "instagram_unsupported": ([], 1),
    "instagram_video": ([("", "", "ig-mid:aWdfvideo1", "", ("video",))], 0),
    "messenger_audio": ([("", "", "fb-mid:m_audio1", "", ("audio",))], 0),
    "messenger_delivery": ([], 0),
    "messenger_echo": ([], 0),
    "messenger_empty_message": ([], 1),
    "messenger_fallback_no_url": ([("", "", "fb-mid:m_fallback2", "", ("fallback",))], 0),
    "messenger_fallback_null_payload": (
        [("", "", "fb-mid:m_fallback1", "Mira esto https://example.com/oferta", ("link",))],
        0,
    ),
    "messenger_file": ([("", "", "fb-mid:m_file1", "", ("file",))], 0),
    "messenger_image": ([("", "", "fb-mid:m_image1", "", ("image",))], 0),
    "messenger_location": ([("", "", "fb-mid:m_location1", "", ("location",))], 0),
    "messenger_message_edit": ([("", "edited", "fb-mid:m_text1", "Hola, ¿abrís el sábado?", ())], 0),
    "messenger_mixed_good_and_bad": (
        [("", "", "fb-mid:m_good1", "Buenas", ()), ("", "", "fb-mid:m_good2", "", ("fallback",))],
        1,
    ),
    "messenger_optin": ([], 0),
    "messenger_pass_thread_control": (
        [
            (
                "handover",
                "",
                "fb-handover:7216093241750001-1795345260000",
                "Meta handover: thread control passed to app 263902037430900. (Escalado a humano)",
                (),
            )
        ],
        0,
    ),
    "messenger_postback": ([("", "", "fb-postback:m_postback1", "Hablar con una persona", ())], 0),
    "messenger_postback_without_mid": ([("", "", "fb-postback:7216093241750001-1795345260000", "Empezar", ())], 0),
    "messenger_quick_reply": ([("", "", "fb-mid:m_quick1", "Sí, llamadme", ())], 0),
    "messenger_reaction": ([], 0),
    "messenger_read": ([], 0),
    "messenger_referral": ([], 0),
    "messenger_reply_to": ([("", "", "fb-mid:m_reply1", "Eso mismo", ())], 0),
    "messenger_request_thread_control": ([], 0),
    "messenger_standby": ([("", "", "fb-mid:m_standby1", "¿Hay alguien?", ())], 0),
    "messenger_sticker": ([("", "", "fb-mid:m_sticker1", "", ("sticker",))], 0),
    "messenger_take_thread_control": (
        [
            (
                "handover",
                "",
                "fb-handover:7216093241750001-1795345260000",
                "Meta handover: thread control taken by app 1517776481860111.",
                (),
            )
        ],
        0,
    ),
    "messenger_template_product": ([("", "", "fb-mid:m_product1", "", ("product",))], 0),
    "messenger_text": ([("", "", "fb-mid:m_text1", "Hola, ¿abrís el domingo?", ())], 0),
    "messenger_unknown_event": ([], 1),
    "messenger_unreaction": ([], 0),
    "messenger_video": ([("", "", "fb-mid:m_video1", "", ("video",))], 0),
}


def connector_for_fixture(document: dict):
    account = document["entry"][0]["id"]
    if document["object"] == "page":
        return FacebookConnector(Channel(kind="facebook", external_account_id=account))
    return InstagramConnector(Channel(kind="instagram", external_account_id=account))


def test_every_fixture_has_an_expectation():
    assert sorted(p.stem for p in VARIANTS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_variant_parses_into_what_it_is(name):
    raw = (VARIANTS / f"{name}.json").read_bytes()
    report = connector_for_fixture(json.loads(raw)).parse_report(raw, source="webhook")
    items, unparsed = EXPECTED[name]
    got = [(i.kind, i.change, i.external_id, i.body, tuple(a["type"] for a in i.attachments)) for i in report.items]
    assert got == items
    assert len(report.unparsed) == unparsed
    assert all(u.reason and isinstance(u.raw, dict) for u in report.unparsed)
    assert report.revoked is False
    for item in report.items:
        assert item.author.external_id, "every item has an author, known or its own unknown one"
        for attachment in item.attachments:
            assert set(attachment) >= {"type", "url", "preview_url", "title", "latitude", "longitude", "mime_type"}
        if item.kind == "" and not item.change:
            assert item.body or item.attachments, "no empty phantom messages"


def test_attachment_details_are_normalized():
    def first(name):
        raw = (VARIANTS / f"{name}.json").read_bytes()
        return connector_for_fixture(json.loads(raw)).parse_report(raw, source="webhook").items[0].attachments[0]

    location = first("messenger_location")
    assert (location["latitude"], location["longitude"]) == (40.4168, -3.7038)
    assert "40.4168,-3.7038" in location["url"]
    fallback = first("messenger_fallback_null_payload")
    assert fallback["url"] == "https://example.com/oferta" and fallback["title"] == "Oferta de primavera"
    assert first("messenger_sticker")["sticker_id"] == "369239263222822"
    assert first("messenger_template_product")["title"] == "Bici urbana"
    assert first("instagram_ig_reel")["title"] == "Cómo se hace"
    assert first("instagram_story_reply")["story_id"] == "17900000000000003"
    assert first("feed_comment_photo_only")["url"].endswith("pedido-roto.jpg")


def test_an_author_less_comment_is_its_own_unknown_person():
    raw = (VARIANTS / "feed_comment_without_from.json").read_bytes()
    [item] = connector_for_fixture(json.loads(raw)).parse_report(raw, source="webhook").items
    assert item.author.external_id == "unknown:fb-comment:222_3335"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"object": "page"}', b'{"object": "page", "entry": 3}'])
def test_only_an_unreadable_body_raises(body):
    with pytest.raises(MalformedPayload):
        FacebookConnector(Channel(kind="facebook", external_account_id="1")).parse_report(body, source="webhook")


def test_entries_that_are_not_objects_are_reported_not_fatal():
    body = json.dumps({"object": "page", "entry": ["junk", {"id": "1", "messaging": [None]}]}).encode()
    report = FacebookConnector(Channel(kind="facebook", external_account_id="1")).parse_report(body, source="webhook")
    assert report.items == [] and len(report.unparsed) == 2
