"""WhatsApp Cloud API webhook entries → normalized items, as Meta documents them.

A delivery (``object: whatsapp_business_account``) holds entries keyed by the
WhatsApp Business Account id; each ``changes[].value`` names the phone number
it is for (``metadata.phone_number_id``), the senders' profiles
(``contacts[]``), and ``messages[]``, ``statuses[]`` or ``errors[]``. Each
message and status is parsed on its own: one that cannot be understood becomes
an ``UnparsedItem`` and never costs its neighbours. What each becomes (the
README's "WhatsApp" section lists the same):

``messages[]`` by ``type``
    ``text``: a private message; ``image``, ``video``, ``audio`` (voice notes
    too), ``document``, ``sticker``: a message with the media as an attachment
    (the caption as text), copied into our storage with the account's token
    (``copy_from: whatsapp-media:<id>``); ``location``: a location attachment
    with a map link; ``contacts``: the shared cards as text; ``interactive``
    (``button_reply``, ``list_reply``, ``nfm_reply``) and ``button`` (a
    template's quick reply): the title as text; ``order``: the items as text;
    ``reaction``, ``system`` (number changed), ``request_welcome``:
    acknowledged, no item; ``unsupported``/``unknown`` or any message with
    ``errors``: unparsed with the error, never an empty message. A reply to
    a message (``context``) keeps what it answers; an ad referral adds a link.
``statuses[]``
    ``sent``, ``delivered``, ``read``, ``failed`` (with its error's title):
    a status item for our outbound message of that id (``ItemKind.STATUS``);
    ``conversation`` and ``pricing`` are optional and not needed. Other
    states (``deleted``, ``warning``, ``played``): acknowledged.
``errors[]`` at the value level
    unparsed, with the error.
Other fields than ``messages`` (template and account updates): acknowledged.
"""

from __future__ import annotations

from datetime import UTC, datetime

from channels.connectors.base import NETWORK_STATUSES, ContactRef, InboundItem, ItemKind, attachment_dict
from channels.connectors.meta.parsing import Collected, Unparsed

MEDIA_TYPES = {"image": "image", "video": "video", "audio": "audio", "document": "file", "sticker": "sticker"}
ACKNOWLEDGED_TYPES = ("reaction", "system", "request_welcome", "ephemeral")
MEDIA_SOURCE = "whatsapp-media:"


def thread_key(wa_id: str) -> str:
    return f"wa:{wa_id}"


def value_items(value: dict, collected: Collected) -> None:
    """The messages, statuses and errors of one ``changes[].value``."""
    names = {
        str(c.get("wa_id")): ((c.get("profile") or {}).get("name") or "")
        for c in value.get("contacts") or []
        if isinstance(c, dict)
    }
    for message in value.get("messages") or []:
        collected.guard(message, message_item, message, names)
    for status in value.get("statuses") or []:
        collected.guard(status, status_item, status)
    for error in value.get("errors") or []:
        collected.guard(error, _error, error)


def entry_items(entry: dict, collected: Collected) -> None:
    for change in entry.get("changes") or []:
        if not isinstance(change, dict):
            collected.guard(change, _not_an_object, change)
        elif change.get("field") == "messages":
            collected.guard(change, value_items, change.get("value") or {}, collected)
        # Template, quality and account updates are the account's business, not conversations.


def message_item(message: dict, names: dict[str, str]) -> InboundItem | None:
    kind = message.get("type") or ""
    if message.get("errors") or kind in ("unsupported", "unknown"):
        raise Unparsed(f"WhatsApp message not supported ({kind}): {_error_text(message.get('errors') or [])}")
    if kind in ACKNOWLEDGED_TYPES:
        return None
    sender = str(message["from"])
    external_id = str(message["id"])
    body, attachments = _content(kind, message)
    referral = message.get("referral") or {}
    if referral.get("source_url"):
        attachments.append(
            attachment_dict(
                "link", url=referral["source_url"], title=referral.get("headline") or "", network_type="referral"
            )
        )
    if not body and not attachments:
        raise Unparsed(f"WhatsApp {kind or 'message'} with nothing to show")
    name = names.get(sender, "")
    return InboundItem(
        external_id=external_id,
        thread_key=thread_key(sender),
        is_private=True,
        author=ContactRef(external_id=sender, handle=f"+{sender}", display_name=name),
        body=body,
        created_at=_when(message.get("timestamp")),
        attachments=tuple(attachments),
        in_reply_to=str((message.get("context") or {}).get("id") or ""),
    )


def _content(kind: str, message: dict) -> tuple[str, list[dict]]:
    """The text and attachments of one message of a known type; raises ``Unparsed`` for others."""
    if kind == "text":
        return (message.get("text") or {}).get("body") or "", []
    if kind in MEDIA_TYPES:
        media = message.get(kind) or {}
        if not media.get("id"):
            raise Unparsed(f"WhatsApp {kind} without a media id")
        attachment = attachment_dict(
            MEDIA_TYPES[kind],
            title=media.get("filename") or "",
            mime_type=media.get("mime_type") or "",
            network_type=kind,
            copy_from=f"{MEDIA_SOURCE}{media['id']}",
            media_id=str(media["id"]),
            voice="1" if media.get("voice") else "",
        )
        return media.get("caption") or "", [attachment]
    if kind == "location":
        place = message.get("location") or {}
        lat, lng = place.get("latitude"), place.get("longitude")
        maps = f"https://www.google.com/maps/search/?api=1&query={lat},{lng}" if lat is not None else ""
        title = " · ".join(filter(None, [place.get("name"), place.get("address")]))
        return "", [
            attachment_dict(
                "location",
                url=place.get("url") or maps,
                title=title,
                latitude=float(lat) if lat is not None else None,
                longitude=float(lng) if lng is not None else None,
                network_type=kind,
            )
        ]
    if kind == "contacts":
        return "\n".join(_contact_card(card) for card in message.get("contacts") or []), []
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get(interactive.get("type") or "") or {}
        text = reply.get("title") or reply.get("body") or ""
        if reply.get("description"):
            text = f"{text} — {reply['description']}"
        return text, []
    if kind == "button":
        button = message.get("button") or {}
        return button.get("text") or button.get("payload") or "", []
    if kind == "order":
        order = message.get("order") or {}
        lines = [
            f"{item.get('quantity', 1)} × {item.get('product_retailer_id', '?')} "
            f"({item.get('item_price', '')} {item.get('currency', '')})".rstrip()
            for item in order.get("product_items") or []
        ]
        return "\n".join(filter(None, [order.get("text") or "", *lines])), []
    raise Unparsed(f"WhatsApp message type not handled: {kind or 'none'}")


def _contact_card(card: dict) -> str:
    """One shared contact card as one line: the name, phones and e-mails."""
    name = (card.get("name") or {}).get("formatted_name") or (card.get("name") or {}).get("first_name") or "?"
    phones = [p.get("phone") or p.get("wa_id") or "" for p in card.get("phones") or []]
    emails = [e.get("email") or "" for e in card.get("emails") or []]
    return " · ".join(filter(None, [f"📇 {name}", *phones, *emails]))


def status_item(status: dict) -> InboundItem | None:
    state = status.get("status") or ""
    if state not in NETWORK_STATUSES:
        return None  # deleted, warning, played: nothing to show on the reply
    recipient = str(status.get("recipient_id") or "")
    return InboundItem(
        external_id=str(status["id"]),
        thread_key=thread_key(recipient),
        is_private=True,
        author=ContactRef(external_id=recipient),
        body=_error_text(status.get("errors") or []) if state == "failed" else "",
        created_at=_when(status.get("timestamp")),
        kind=ItemKind.STATUS,
        change=state,
    )


def _error_text(errors: list) -> str:
    """``title (code): details`` of the first error, as the CM should read it."""
    for error in errors:
        if isinstance(error, dict):
            details = (error.get("error_data") or {}).get("details") or error.get("message") or ""
            head = f"{error.get('title') or 'Error'} ({error.get('code')})"
            return f"{head}: {details}" if details and details != error.get("title") else head
    return ""


def _error(error: dict) -> None:
    raise Unparsed(f"WhatsApp error: {_error_text([error])}")


def _not_an_object(value) -> None:
    raise TypeError(f"a change is an object, not {type(value).__name__}")


def _when(value) -> datetime | None:
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)
