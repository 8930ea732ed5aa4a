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
    SentReceipt,
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
        try:
            items = json.loads(body)["items"]
            return [
                InboundItem(
                    external_id=str(item["id"]),
                    thread_key=str(item.get("thread") or item["id"]),
                    is_private=bool(item.get("private", False)),
                    author=ContactRef(external_id=str(item["author"]), handle=str(item["author"])),
                    body=str(item.get("text", "")),
                    created_at=datetime.fromtimestamp(item.get("ts", 0), tz=UTC)
                    if item.get("ts")
                    else datetime.now(tz=UTC),
                )
                for item in items
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedPayload(f"Not a fake delivery: {exc!r}") from exc

    def fetch_since(self, cursor: str) -> FetchResult:
        if FakeConnector.poll_fail_with is not None:
            raise FakeConnector.poll_fail_with
        newer = [item for item in FakeConnector.feed if int(item["id"]) > int(cursor or 0)]
        last = max((int(item["id"]) for item in newer), default=int(cursor or 0))
        return FetchResult(raw=json.dumps({"items": newer}).encode(), cursor=str(last), item_count=len(newer))

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        return self.parse_webhook(body)

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
