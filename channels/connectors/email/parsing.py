"""Raw RFC 5322 messages → normalized items (standard library ``email``).

What each e-mail becomes (the README's "E-mail inbox" section lists the same):

- a message in the conversation of its thread: the thread key is the root
  of the thread (the first id of ``References``, else ``In-Reply-To``, else
  the message's own ``Message-ID``); a reply that names only its parent is
  filed under the parent's conversation when Mostrador holds the parent;
- the text: the ``text/plain`` body, else the ``text/html`` one turned into
  text (scripts, styles and markup dropped, entities decoded), in whatever
  charset it declares (an unknown one is read as UTF-8 with replacements);
  ``=?utf-8?…?=`` encoded subjects and names are decoded;
- attachments (and inline images with a file name) are listed on the message
  and copied into our storage from the mailbox (``copy_from: email-part:…``);
- auto-replies (``Auto-Submitted`` other than ``no``, ``X-Autoreply``,
  ``X-Autorespond``, ``Precedence: bulk/auto_reply/junk``, out-of-office
  subjects) and bounces (``multipart/report``, ``MAILER-DAEMON`` or
  ``postmaster`` senders) are stored and shown, with ``needs_reply`` false:
  nobody is counted as waiting for them; a bounce is filed in the conversation
  of the message that bounced when it quotes its ``Message-ID``;
- the mailbox's own messages (sent from its address) are skipped.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html import unescape
from html.parser import HTMLParser

from channels.connectors.base import ContactRef, InboundItem, attachment_dict

PART_SOURCE = "email-part:"
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|auto:|out of (the )?office|respuesta autom[aá]tica|"
    r"fuera de la oficina|ausencia|vacaciones|vacation|abwesenheit|r[ée]ponse automatique|absence)",
    re.IGNORECASE,
)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
AUTO_PRECEDENCE = ("bulk", "auto_reply", "junk")


def parse_message(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def message_item(raw: bytes, *, source: str, own_address: str = "") -> InboundItem | None:
    """The item of one raw e-mail; ``source`` ("<uidvalidity>:<uid>") locates its
    parts in the mailbox. None for the mailbox's own messages."""
    message = parse_message(raw)
    sender_name, sender = _address(message.get("From", ""))
    if own_address and sender == own_address.lower():
        return None
    message_id = _first_id(message.get("Message-ID", "")) or (
        f"<{hashlib.sha256(raw).hexdigest()[:40]}@missing-id.mostrador>"
    )
    references = MESSAGE_ID.findall(str(message.get("References", "")))
    parent = _first_id(message.get("In-Reply-To", ""))
    bounce = is_bounce(message, sender)
    if bounce and not parent:
        parent = _bounced_id(message)
    root = references[0] if references else (parent or message_id)
    if bounce and not references:
        root = parent or message_id
    body = message_text(message)
    if bounce:
        body = _bounce_summary(message) or body
    subject = _header(message, "Subject")
    return InboundItem(
        external_id=message_id,
        thread_key=f"email-thread:{root}",
        is_private=True,
        author=ContactRef(
            external_id=sender or f"unknown:{message_id}",
            handle=sender,
            display_name=sender_name or sender,
            email=sender,
        ),
        body=body,
        created_at=_date(message),
        subject=subject,
        attachments=tuple(attachments(message, source=source)),
        in_reply_to=parent,
        # Without References the root is a guess: filed under the parent's
        # conversation when Mostrador holds the parent.
        thread_pending=bool(parent) and not references,
        needs_reply=False if bounce or is_auto_reply(message, subject) else None,
    )


def is_auto_reply(message: EmailMessage, subject: str) -> bool:
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("X-Auto-Response-Suppress") == "All":
        return True
    if str(message.get("Precedence", "")).strip().lower() in AUTO_PRECEDENCE:
        return True
    return bool(AUTO_SUBJECT.match(subject))


def is_bounce(message: EmailMessage, sender: str) -> bool:
    if message.get_content_type() == "multipart/report":
        return True
    return sender.partition("@")[0] in BOUNCE_SENDERS


def message_text(message: EmailMessage) -> str:
    """The readable text: the plain body, else the HTML body as text."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _content(part)
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return _tidy(text)


def attachments(message: EmailMessage, *, source: str) -> list[dict]:
    """The files of the message, each locatable in the mailbox by its position in ``walk()``."""
    body = message.get_body(preferencelist=("plain", "html"))
    found = []
    for index, part in enumerate(message.walk()):
        if part.is_multipart() or part is body:
            continue
        filename = part.get_filename() or ""
        disposition = part.get_content_disposition()
        if disposition != "attachment" and not (filename and disposition == "inline"):
            continue
        mime_type = part.get_content_type()
        main = part.get_content_maintype()
        kind = {"image": "image", "audio": "audio", "video": "video"}.get(main, "file")
        found.append(
            attachment_dict(
                kind,
                title=filename or mime_type,
                mime_type=mime_type,
                network_type="email-part",
                copy_from=f"{PART_SOURCE}{source}:{index}" if source else "",
            )
        )
    return found


def part_bytes(raw: bytes, index: int) -> tuple[bytes, str]:
    """The decoded bytes and type of the ``index``-th part of ``walk()``; raises ``LookupError``."""
    for position, part in enumerate(parse_message(raw).walk()):
        if position == index and not part.is_multipart():
            payload = part.get_payload(decode=True)
            return (payload if isinstance(payload, bytes) else b""), part.get_content_type()
    raise LookupError(f"No part {index} in the message")


class _TextExtractor(HTMLParser):
    """HTML → text: markup dropped, block elements as line breaks, scripts and styles ignored."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return unescape("".join(extractor.parts))


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return tidy.strip()


def _content(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _header(message: EmailMessage, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "")).split())
    except (ValueError, TypeError, IndexError):
        return ""


def _address(value) -> tuple[str, str]:
    try:
        pairs = getaddresses([str(value)])
    except (ValueError, TypeError, IndexError):
        pairs = [parseaddr(str(value))]
    name, address = pairs[0] if pairs else ("", "")
    return " ".join(name.split()), address.strip().lower()


def _first_id(value) -> str:
    found = MESSAGE_ID.findall(str(value or ""))
    return found[0] if found else ""


def _date(message: EmailMessage) -> datetime | None:
    try:
        header = message.get("Date")
        when = getattr(header, "datetime", None)
    except (ValueError, TypeError, IndexError):
        return None
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _bounced_id(message: EmailMessage) -> str:
    """The Message-ID of the message that bounced, from the report's returned message or headers."""
    for part in message.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if inner is not None and hasattr(inner, "get"):
                return _first_id(inner.get("Message-ID", ""))
            match = re.search(r"^Message-ID:\s*(<[^>]+>)", _content(part), re.IGNORECASE | re.MULTILINE)
            if match:
                return match.group(1)
    return ""


def _bounce_summary(message: EmailMessage) -> str:
    """The human part of a delivery report, then each recipient's status."""
    human = ""
    lines = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "text/plain" and not human:
            human = _tidy(_content(part))
        elif kind == "message/delivery-status":
            for block in part.get_payload() or []:
                if hasattr(block, "get") and block.get("Final-Recipient"):
                    lines.append(
                        " · ".join(
                            filter(
                                None,
                                [
                                    str(block.get("Final-Recipient", "")).partition(";")[2].strip(),
                                    str(block.get("Status", "")),
                                    " ".join(str(block.get("Diagnostic-Code", "")).split()),
                                ],
                            )
                        )
                    )
    return "\n".join(filter(None, [human, *lines]))


def recipients(value: str) -> list[str]:
    return [address for _name, address in getaddresses([value]) if address]
