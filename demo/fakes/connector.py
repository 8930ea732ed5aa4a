"""A connector with an in-memory outbox, for tests and local experiments.

Deliveries are JSON ``{"items": [{"id", "thread", "private", "author", "text"}]}``
signed like the web channel. ``FakeConnector.outbox`` collects sent replies;
set ``FakeConnector.fail_with`` to a ``ConnectorError`` to make sends fail.
Polling reads ``FakeConnector.feed`` (items as in a delivery, with integer ids)
newer than the cursor; ``poll_fail_with`` makes polls fail.
"""

import json
from datetime import UTC, datetime

from channels.connectors.base import (
    Connector,
    ConnectorError,
    ContactRef,
    FetchResult,
    InboundItem,
    MalformedPayload,
    OutboundReply,
    ParseReport,
    SentReceipt,
    UnparsedItem,
    WebhookRejected,
    WebhookRequest,
)
from channels.connectors.signatures import signature_matches


class FakeConnector(Connector):
    kind = "fake"
    supports_webhooks = True
    supports_polling = True
    poll_interval = 60
    max_reply_length = 280

    outbox: list[OutboundReply] = []
    fail_with: ConnectorError | None = None
    feed: list[dict] = []
    poll_fail_with: ConnectorError | None = None

    def verify_webhook(self, request: WebhookRequest) -> None:
        header = {k.lower(): v for k, v in request.headers.items()}.get("x-mostrador-signature")
        if not signature_matches(secret=self.credentials.get("secret", ""), body=request.body, header_value=header):
            raise WebhookRejected("Bad signature.")

    def parse_webhook(self, body: bytes) -> list[InboundItem]:
        return self.parse_report(body, source="webhook").items

    def parse_report(self, body: bytes, *, source: str) -> ParseReport:
        """Each entry on its own: one that cannot be read is reported, the rest kept."""
        try:
            entries = json.loads(body)["items"]
            if not isinstance(entries, list):
                raise TypeError("items is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedPayload(f"Not a fake delivery: {exc!r}") from exc
        report = ParseReport()
        for entry in entries:
            try:
                report.items.append(_item(entry))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                report.unparsed.append(UnparsedItem(reason=f"{type(exc).__name__}: {exc}", raw=entry))
        return report

    def fetch_since(self, cursor: str) -> FetchResult:
        if FakeConnector.poll_fail_with is not None:
            raise FakeConnector.poll_fail_with
        newer = [item for item in FakeConnector.feed if int(item["id"]) > int(cursor or 0)]
        last = max((int(item["id"]) for item in newer), default=int(cursor or 0))
        return FetchResult(raw=json.dumps({"items": newer}).encode(), cursor=str(last), item_count=len(newer))

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        return self.parse_report(body, source="poll").items

    def send_reply(self, reply: OutboundReply) -> SentReceipt:
        if FakeConnector.fail_with is not None:
            raise FakeConnector.fail_with
        FakeConnector.outbox.append(reply)
        return SentReceipt(external_id=f"fake-out-{reply.idempotency_key}")

    @classmethod
    def reset(cls) -> None:
        cls.outbox.clear()
        cls.fail_with = None
        cls.feed.clear()
        cls.poll_fail_with = None


def _item(entry: dict) -> InboundItem:
    return InboundItem(
        external_id=str(entry["id"]),
        thread_key=str(entry.get("thread") or entry["id"]),
        is_private=bool(entry.get("private", False)),
        author=ContactRef(external_id=str(entry["author"]), handle=str(entry["author"])),
        body=str(entry.get("text", "")),
        created_at=datetime.fromtimestamp(entry["ts"], tz=UTC) if entry.get("ts") else datetime.now(tz=UTC),
    )
