"""The parse report every connector gives: items, unparsed entries, a revoke flag."""

import dataclasses

import pytest

from channels.connectors.base import (
    Connector,
    ContactRef,
    InboundItem,
    ItemKind,
    MalformedPayload,
    ParseReport,
    UnparsedItem,
)


class _Lines(Connector):
    """A connector whose bodies are lines of text: one item per line."""

    kind = "lines"

    def parse_webhook(self, body: bytes) -> list[InboundItem]:
        if not body:
            raise MalformedPayload("empty")
        return [
            InboundItem(
                external_id=f"l:{n}", thread_key="t", is_private=True, author=ContactRef(external_id="a"), body=line
            )
            for n, line in enumerate(body.decode().splitlines())
        ]

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        return self.parse_webhook(body)[:1]


def test_default_report_wraps_parse_event_with_nothing_unparsed():
    connector = _Lines(channel=None)
    report = connector.parse_report(b"uno\ndos", source="webhook")
    assert [item.body for item in report.items] == ["uno", "dos"]
    assert report.unparsed == [] and report.revoked is False
    assert [item.body for item in connector.parse_report(b"uno\ndos", source="poll").items] == ["uno"]


def test_default_report_raises_only_when_the_whole_body_is_unreadable():
    with pytest.raises(MalformedPayload):
        _Lines(channel=None).parse_report(b"", source="webhook")


def test_unparsed_items_and_reports_are_frozen_values():
    unparsed = UnparsedItem(reason="no mid", raw={"message": {}})
    report = ParseReport(unparsed=[unparsed], revoked=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        unparsed.reason = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.revoked = False  # type: ignore[misc]
    assert report.items == [] and report.unparsed[0].raw == {"message": {}}


def test_items_are_messages_by_default_and_complete_without_the_network():
    item = InboundItem(external_id="x", thread_key="t", is_private=False, author=ContactRef(external_id="a"), body="")
    assert item.kind == ItemKind.MESSAGE and not item.thread_pending and item.in_reply_to == ""
    pending = dataclasses.replace(item, thread_pending=True)
    assert _Lines(channel=None).complete_item(pending) == item
    assert _Lines(channel=None).fetch_profile("a") is None
    assert ItemKind.LIKE in ItemKind.ENGAGEMENT and ItemKind.MESSAGE not in ItemKind.ENGAGEMENT
