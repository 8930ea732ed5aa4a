"""An e-mail inbox: an IMAP mailbox polled every minute, answered by SMTP.

Polling goes through the shared poller (``channels.polling``): each poll reads
the UIDs above the cursor (``<UIDVALIDITY>:<last UID>``; a changed
UIDVALIDITY means the server renumbered the folder, so the newest messages are
read again and ingest drops what it holds), at most ``BATCH`` messages, and
stores them raw (base64 in a JSON batch) as one poll event; the drain parses
them (``parsing.message_item``). Messages are read with ``BODY.PEEK`` and
the folder is opened read-only: Mostrador never marks mail as read, moves or
deletes it. Replies go by SMTP in the same thread (``In-Reply-To``,
``References``, ``Re:``), with a ``Message-ID`` derived from the reply's
idempotency key, as the website channel does.

IDLE is not used: polling every minute through the shared poller keeps one
mechanism for every network (leases, backoff, disabling on bad credentials),
where IDLE would need a long-lived connection per mailbox in a process of its
own; a minute is well inside any reply deadline.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import ClassVar

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels.connectors.base import (
    Connector,
    ConnectorError,
    FetchResult,
    InboundItem,
    MalformedPayload,
    OutboundReply,
    ParseReport,
    SentReceipt,
    UnparsedItem,
)
from channels.connectors.email import client
from channels.connectors.email.parsing import PART_SOURCE, message_item, part_bytes
from channels.connectors.web.connector import reply_message_id

BATCH = 50  # messages per poll; the next poll (a minute later) continues
FIRST_POLL = 50  # the first poll (or after a UIDVALIDITY change) reads the newest this many
MAX_MESSAGE_BYTES = 15 * 2**20  # larger messages are kept by their header only
MAX_BATCH_BYTES = 25 * 2**20  # one poll stores at most this much (but always one message)


class EmailConnector(Connector):
    kind = "email"
    supports_polling = True
    poll_interval = 60
    replies_by_email = True
    setup_form = "channels.connectors.email.forms.EmailChannelForm"
    setup_title = _("Connect an e-mail inbox")
    # E-mail has no window and no practical length limit.
    reply_window: ClassVar = None

    @classmethod
    def proven_identity(cls, external_id: str) -> str:
        # The address the mailbox received the message from.
        return f"email:{external_id.strip().lower()}" if "@" in external_id else ""

    def _settings(self, prefix: str) -> client.MailSettings:
        c = self.credentials
        if not c.get(f"{prefix}_host"):
            raise ConnectorError(f"No {prefix.upper()} server set up for this inbox.", permanent=True)
        return client.MailSettings(
            host=c[f"{prefix}_host"],
            port=int(c.get(f"{prefix}_port") or (993 if prefix == "imap" else 587)),
            security=c.get(f"{prefix}_security") or "ssl",
            username=c.get(f"{prefix}_username") or "",
            password=c.get(f"{prefix}_password") or "",
        )

    @property
    def folder(self) -> str:
        return self.credentials.get("folder") or "INBOX"

    @property
    def from_address(self) -> str:
        return (self.credentials.get("from_address") or self.channel.external_account_id or "").strip()

    def fetch_since(self, cursor: str) -> FetchResult:
        """Messages above the cursor's UID (all of the newest ``FIRST_POLL`` on the
        first poll or when the folder's UIDVALIDITY changed)."""
        validity, _sep, last = cursor.partition(":")
        with client.imap_session(self._settings("imap"), self.folder) as (conn, current):
            last_uid = int(last or 0) if validity == current else 0
            uids = client.uids_after(conn, last_uid)
            if not last_uid:
                uids = uids[-FIRST_POLL:]
            uids = uids[:BATCH]
            messages: list[dict] = []
            taken = last_uid
            if uids:
                size = client.sizes(conn, uids)
                total = 0
                for uid in uids:
                    too_large = size.get(uid, 0) > MAX_MESSAGE_BYTES
                    if messages and not too_large and total + size.get(uid, 0) > MAX_BATCH_BYTES:
                        break  # one stored batch stays reasonable; the next poll continues here
                    raw = client.fetch(conn, uid, headers_only=too_large)
                    total += len(raw)
                    messages.append({"uid": uid, "raw": base64.b64encode(raw).decode("ascii"), "truncated": too_large})
                    taken = uid
        next_cursor = f"{current}:{taken}"
        raw_batch = json.dumps({"uidvalidity": current, "folder": self.folder, "messages": messages}).encode()
        return FetchResult(raw=raw_batch, cursor=next_cursor, item_count=len(messages))

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        return self.parse_report(body, source="poll").items

    def parse_report(self, body: bytes, *, source: str) -> ParseReport:
        try:
            batch = json.loads(body)
            validity = str(batch["uidvalidity"])
            messages = list(batch["messages"])
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedPayload(f"Not a mailbox batch: {exc!r}") from exc
        items, unparsed = [], []
        for entry in messages:
            try:
                raw = base64.b64decode(entry["raw"])
                item = message_item(raw, source=f"{validity}:{entry['uid']}", own_address=self.from_address)
            except (KeyError, TypeError, ValueError, IndexError, AttributeError, LookupError) as exc:
                summary = {k: v for k, v in entry.items() if k != "raw"} if isinstance(entry, dict) else str(entry)
                unparsed.append(UnparsedItem(reason=f"{type(exc).__name__}: {exc}", raw=summary))
                continue
            if item is not None and isinstance(entry, dict) and entry.get("truncated"):
                note = str(_("[Message too large: only its header was read; the rest is in the mailbox.]"))
                item = replace(item, body="\n\n".join(filter(None, [item.body, note])))
            if item is not None:
                items.append(item)
        return ParseReport(items=items, unparsed=unparsed)

    def media_download(self, source: str, *, max_bytes: int) -> tuple[bytes, str]:
        """An attachment, read again from the mailbox (``email-part:<uidvalidity>:<uid>:<part>``)."""
        try:
            validity, uid, index = source.removeprefix(PART_SOURCE).split(":")
        except ValueError as exc:
            raise ConnectorError(f"Not a mailbox part: {source}", permanent=True) from exc
        with client.imap_session(self._settings("imap"), self.folder) as (conn, current):
            if current != validity:
                raise ConnectorError("The folder was renumbered (UIDVALIDITY changed).", permanent=True)
            raw = client.fetch(conn, int(uid))
        try:
            content, mime_type = part_bytes(raw, int(index))
        except LookupError as exc:
            raise ConnectorError(str(exc), permanent=True) from exc
        if len(content) > max_bytes:
            raise ConnectorError(f"Larger than {max_bytes} bytes", permanent=True)
        return content, mime_type

    def send_reply(self, reply: OutboundReply) -> SentReceipt:
        if not reply.recipient.email:
            raise ConnectorError("The contact has no e-mail address.", permanent=True)
        from_address = self.from_address
        if not from_address:
            raise ConnectorError("No sender address set up for this inbox.", permanent=True)
        subject = reply.subject or str(self.channel.name)
        if not subject.lower().startswith("re:"):
            subject = f"Re: {subject}"
        message_id = reply_message_id(reply.idempotency_key, from_address)
        message = EmailMessage()
        message["From"] = formataddr((self.credentials.get("from_name") or str(self.channel.name), from_address))
        message["To"] = formataddr((reply.recipient.display_name, reply.recipient.email))
        message["Subject"] = subject
        message["Date"] = format_datetime(timezone.now())
        message["Message-ID"] = message_id
        root = reply.thread_key.removeprefix("email-thread:")
        parent = reply.in_reply_to.strip()
        if parent.startswith("<"):
            message["In-Reply-To"] = parent
        references = [ref for ref in dict.fromkeys([root, parent]) if ref.startswith("<")]
        if references:
            message["References"] = " ".join(references)
        message.set_content(reply.body)
        client.smtp_send(self._settings("smtp"), message)
        return SentReceipt(external_id=message_id)
