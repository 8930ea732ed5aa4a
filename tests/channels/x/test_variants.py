"""Every documented X variant (tests/channels/x/fixtures/variants/: Account Activity
deliveries, v2 mention and DM pages as X documents them): parsing never raises and
each becomes what the README's X section says."""

import json
from pathlib import Path

import pytest

from channels.connectors.base import MalformedPayload
from channels.connectors.x.connector import XConnector
from channels.models import Channel

VARIANTS = Path(__file__).parent / "fixtures" / "variants"
OWN = "1500000000000000001"

# fixture → ([(kind, change, external_id, body, attachment types)], unparsed entries, revoked)
EXPECTED = {
    "aaa_block": ([], 0, False),
    "aaa_dm": (
        [("", "", "dm:1900000000000000001", "Hola, mi pedido: https://www.example.com/pedido/42", ())],
        0,
        False,
    ),
    "aaa_dm_media": ([("", "", "dm:1900000000000000002", "", ("image",))], 0, False),
    "aaa_dm_missing_sender": ([("", "", "dm:1900000000000000005", "Segundo mensaje", ())], 1, False),
    "aaa_dm_own": ([], 0, False),
    "aaa_dm_read": ([], 0, False),
    "aaa_dm_typing": ([], 0, False),
    "aaa_favorite": ([("like", "", "like:a7ba59eab0bfcba386f7acedac279542", "", ())], 0, False),
    "aaa_favorite_by_own": ([], 0, False),
    "aaa_follow": ([], 0, False),
    "aaa_mute": ([], 0, False),
    "aaa_own_tweet": ([], 0, False),
    "aaa_quote_tweet": ([("", "", "tweet:1800000000000000007", "@latienda ¿Esto es verdad?", ())], 0, False),
    "aaa_retweet_of_own": ([("retweet", "", "retweet:1800000000000000008", "", ())], 0, False),
    "aaa_tweet_delete": ([("", "removed", "tweet:1800000000000000001", "", ())], 0, False),
    "aaa_tweet_delete_own": ([], 0, False),
    "aaa_tweet_extended_photo": (
        [
            (
                "",
                "",
                "tweet:1800000000000000002",
                "@latienda Así ha llegado mi pedido, esto no puede ser, lo pedí hace dos semanas"
                " y encima roto & sin caja",
                ("image",),
            )
        ],
        0,
        False,
    ),
    "aaa_tweet_gif": ([("", "", "tweet:1800000000000000006", "@latienda", ("gif",))], 0, False),
    "aaa_tweet_mention": (
        [
            (
                "",
                "",
                "tweet:1800000000000000001",
                "@latienda Pedido & factura: https://www.example.com/pedido/42 <urgente>",
                (),
            )
        ],
        0,
        False,
    ),
    "aaa_tweet_photo_only": ([("", "", "tweet:1800000000000000003", "@latienda", ("image",))], 0, False),
    "aaa_tweet_reply_without_conversation": (
        [("", "", "tweet:1800000000000000004", "@latienda Sigo esperando", ())],
        0,
        False,
    ),
    "aaa_tweet_video": ([("", "", "tweet:1800000000000000005", "@latienda Mirad", ("video",))], 0, False),
    "aaa_unfollow": ([], 0, False),
    "aaa_unknown_event": ([], 1, False),
    "aaa_user_event_revoke": ([], 0, True),
    "v2_dm_events_page": ([("", "", "dm:1900000000000000010", "Aquí la foto", ("image",))], 1, False),
    "v2_mentions_page_empty": ([], 0, False),
    "v2_mentions_page_media": (
        [
            (
                "",
                "",
                "tweet:1800000000000000020",
                "@latienda Roto & tarde mirad https://www.example.com/pedido/42",
                ("image",),
            ),
            ("", "", "tweet:1800000000000000021", "@latienda vídeo", ("video", "gif")),
            (
                "",
                "",
                "tweet:1800000000000000022",
                "@latienda nota larga completa con https://www.example.com/pedido/42",
                (),
            ),
        ],
        0,
        False,
    ),
    "v2_mentions_page_no_author": (
        [
            ("", "", "tweet:1800000000000000040", "@latienda sin autor", ()),
            ("", "", "tweet:1800000000000000041", "@latienda tampoco", ()),
        ],
        0,
        False,
    ),
    "v2_mentions_page_retweet": ([("retweet", "", "retweet:1800000000000000030", "", ())], 0, False),
}


def report_of(name: str):
    body = (VARIANTS / f"{name}.json").read_bytes()
    source = "webhook"
    if name.startswith("v2_mentions"):
        body, source = json.dumps({"mentions": [json.loads(body)]}).encode(), "poll"
    elif name.startswith("v2_dm"):
        body, source = json.dumps({"dms": [json.loads(body)]}).encode(), "poll"
    return XConnector(Channel(kind="x", external_account_id=OWN)).parse_report(body, source=source)


def test_every_fixture_has_an_expectation():
    assert sorted(p.stem for p in VARIANTS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_variant_parses_into_what_it_is(name):
    report = report_of(name)
    items, unparsed, revoked = EXPECTED[name]
    got = [(i.kind, i.change, i.external_id, i.body, tuple(a["type"] for a in i.attachments)) for i in report.items]
    assert got == items
    assert len(report.unparsed) == unparsed and report.revoked is revoked
    for item in report.items:
        assert item.author.external_id
        assert "&amp;" not in item.body and "t.co/" not in item.body
        if item.kind == "" and not item.change:
            assert item.body or item.attachments


def test_media_urls_previews_and_best_video_variant():
    [tweet] = report_of("aaa_tweet_video").items
    video = tweet.attachments[0]
    assert video["url"].endswith("1280x720/clip.mp4") and video["preview_url"].endswith("poster.jpg")
    assert video["mime_type"] == "video/mp4"
    first, second, _third = report_of("v2_mentions_page_media").items
    assert first.attachments[0]["url"] == "https://pbs.twimg.com/media/V2Foto.jpg"
    assert first.attachments[0]["title"] == "Caja rota"
    assert second.attachments[0]["url"].endswith("1280x720/v.mp4")
    assert second.attachments[1]["preview_url"].endswith("G.jpg")


def test_threads_replies_and_authors():
    [reply] = report_of("aaa_tweet_reply_without_conversation").items
    assert reply.thread_pending and reply.in_reply_to == "tweet:1800000000000000099"
    [mention] = report_of("aaa_tweet_mention").items
    assert not mention.thread_pending and mention.author.display_name == "Ana García"
    assert mention.body == "@latienda Pedido & factura: https://www.example.com/pedido/42 <urgente>"
    polled = report_of("v2_mentions_page_media").items[1]
    assert polled.thread_key == "x-thread:1800000000000000001" and not polled.thread_pending
    [dm] = report_of("aaa_dm").items
    assert dm.author.handle == "@ana_g" and dm.author.display_name == "Ana García"
    first, second = report_of("v2_mentions_page_no_author").items
    assert first.author.external_id != second.author.external_id


@pytest.mark.parametrize("body", [b"not json", b"[1]", b'"text"'])
def test_only_an_unreadable_body_raises(body):
    with pytest.raises(MalformedPayload):
        XConnector(Channel(kind="x", external_account_id=OWN)).parse_report(body, source="webhook")


def test_a_malformed_page_in_a_poll_batch_costs_only_itself():
    good = json.loads((VARIANTS / "v2_mentions_page_retweet.json").read_text())
    body = json.dumps({"mentions": ["junk", good], "dms": [{"data": [{"event_type": "MessageCreate"}]}]}).encode()
    report = XConnector(Channel(kind="x", external_account_id=OWN)).parse_report(body, source="poll")
    assert [i.external_id for i in report.items] == ["retweet:1800000000000000030"]
    assert len(report.unparsed) == 2
