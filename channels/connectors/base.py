"""The one interface every network implements.

A connector is built around one ``Channel`` row and knows how to:

- ``verify_webhook``: decide whether a delivery really comes from the network;
- ``parse_webhook``: turn a delivery's raw body into normalized ``InboundItem``s;
- ``fetch_since``: poll the network for what is newer than a cursor, returning
  the raw responses (stored as a poll ``InboundEvent``) and the next cursor;
- ``parse_poll``: turn a stored poll batch into ``InboundItem``s;
- ``parse_report``: either parse, keeping what could not be understood
  (``UnparsedItem``) beside the items instead of failing the whole body;
- ``send_reply``: deliver an outbound message and return the network's id.

Connectors never touch the database: services do, with what connectors return.

Each connector also declares its edges, from which the generic code is built:
``webhook_urls`` (the app-level routes its package serves under
``/webhooks/``), ``webhook_path`` (the URL a channel gives the network),
``setup_form`` and ``setup_title`` (the Community Manager's set-up page).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from django.urls import reverse

if TYPE_CHECKING:
    from django.urls import URLPattern
    from django.utils.functional import Promise

    from channels.models import Channel


class WebhookRejected(Exception):
    """The delivery is not authentic (missing or wrong signature): answer 403."""


class CannotTell(Exception):
    """The network cannot say whether a reply was sent (``Connector.find_sent``)."""


class MalformedPayload(Exception):
    """The delivery is authentic but cannot be understood: answer 400."""


class ConnectorError(Exception):
    """Sending or polling failed. ``permanent`` errors (revoked token, unknown
    recipient) are not retried; transient ones (timeouts, 5xx, rate limits) are."""

    def __init__(
        self, message: str, *, permanent: bool = False, retry_after: float | None = None, credentials: bool = False
    ):
        super().__init__(message)
        self.message = message
        # ``credentials``: the token expired or was revoked; the channel is disabled until the CM fixes it.
        self.permanent = permanent or credentials
        self.credentials = credentials
        self.retry_after = retry_after


# NUL and the other C0 controls but tab, newline and carriage return: PostgreSQL
# cannot store NUL in text, and none of them means anything in a message.
_CONTROLS = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


def clean_text(value: str) -> str:
    """``value`` without control characters that no text may carry (NUL first of all)."""
    return value.translate(_CONTROLS) if value and not value.isprintable() else value


def clean_data(value):
    """``clean_text`` applied to every string in a JSON-like value (keys included)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean_data(v) for v in value)
    return value


def _clean_fields(obj) -> None:
    """Clean every text field of a frozen dataclass in place: what comes from a
    network is cleaned at the edge, once, whatever connector built it."""
    for name, value in vars(obj).items():
        if isinstance(value, str):
            object.__setattr__(obj, name, clean_text(value))
        elif isinstance(value, tuple) and value and isinstance(value[0], dict):
            object.__setattr__(obj, name, clean_data(value))


@dataclass(frozen=True)
class ContactRef:
    """Who wrote an item, as the network identifies them."""

    external_id: str
    handle: str = ""
    display_name: str = ""
    profile_url: str = ""
    email: str = ""
    # The person's picture as the network serves it (short-lived on Meta).
    picture_url: str = ""

    def __post_init__(self) -> None:
        _clean_fields(self)


@dataclass(frozen=True)
class InboundItem:
    """One mention, comment or private message, normalized.

    ``thread_key`` groups items into one conversation per channel: a post's
    comment thread, a private chat, a contact's e-mail thread.
    """

    external_id: str
    thread_key: str
    is_private: bool
    author: ContactRef
    body: str
    # When the network says it was written; None means "when we received it".
    created_at: datetime | None = None
    subject: str = ""
    parent_url: str = ""
    # Normalized dicts: ``type`` (image, video, audio, file, sticker, link,
    # story_mention, story_reply, location, fallback, template, product, gif),
    # and when known ``url``, ``preview_url``, ``title``, ``latitude``,
    # ``longitude``, ``mime_type``.
    attachments: tuple[dict, ...] = ()
    # "" for a new item; "edited" or "removed" when its author changed it on the
    # network (the item keeps its external id; Mostrador keeps every text).
    change: str = ""
    # What the item is (``ItemKind``): a message by default; the other kinds
    # are signals the inbox records without adding a message.
    kind: str = ""
    # The external id of the item this one answers, when the network says.
    in_reply_to: str = ""
    # True when ``thread_key`` is only a guess (an X webhook tweet carries no
    # ``conversation_id``): ingest files it in the thread of ``in_reply_to``
    # when that is stored, and otherwise asks the network first.
    thread_pending: bool = False
    # False when nobody needs to answer it (an e-mail auto-reply or bounce):
    # stored and shown, but the conversation is not counted as waiting.
    # None: as usual (it needs a reply).
    needs_reply: bool | None = None
    # The stars of a review (1–5), None when the item is not a rating.
    rating: int | None = None

    def __post_init__(self) -> None:
        _clean_fields(self)


class ItemKind:
    """The kinds of ``InboundItem``."""

    MESSAGE = ""  # a comment, post, mention or private message: a ``Message``
    LIKE = "like"  # someone liked the account's post: counted for listening
    RETWEET = "retweet"  # someone shared the account's post: counted for listening
    HANDOVER = "handover"  # thread control passed between apps (Messenger): recorded as a note
    # The account was mentioned; the mentioning text must be fetched first
    # (``external_id`` names the comment or media, ``body`` is empty).
    MENTION = "mention"
    # The network's delivery state of one of OUR outbound messages (WhatsApp
    # ``statuses``): ``external_id`` is the outbound message's id, ``change`` the
    # state (``NETWORK_STATUSES``), ``body`` the error the network gave, if any.
    STATUS = "status"

    ENGAGEMENT = frozenset({LIKE, RETWEET})


# Delivery states a network reports for an outbound message, in the order they happen.
NETWORK_STATUSES = ("sent", "delivered", "read", "failed")

ATTACHMENT_TYPES = (
    "image",
    "video",
    "gif",
    "audio",
    "file",
    "sticker",
    "link",
    "story_mention",
    "story_reply",
    "location",
    "template",
    "product",
    "fallback",
)


def attachment_dict(
    type: str,
    *,
    url: str = "",
    preview_url: str = "",
    title: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    mime_type: str = "",
    **extra: str,
) -> dict:
    """One attachment, normalized: every key present, whatever the network gave.
    ``extra`` keeps network details (``network_type``, ids) for the record."""
    return {
        "type": type if type in ATTACHMENT_TYPES else "file",
        "url": url or "",
        "preview_url": preview_url or "",
        "title": title or "",
        "latitude": latitude,
        "longitude": longitude,
        "mime_type": mime_type or "",
        **{key: value for key, value in extra.items() if value},
    }


@dataclass(frozen=True)
class UnparsedItem:
    """One entry of a delivery or poll batch that could not be understood: the
    reason, and the entry as received, to show the CM and to replay."""

    reason: str
    raw: dict | str


@dataclass(frozen=True)
class ParseReport:
    """What one stored body holds: the items understood, the entries that were
    not (each on its own, never failing its neighbours), and whether the
    network said the account's authorization was revoked (X ``user_event``)."""

    items: list[InboundItem] = field(default_factory=list)
    unparsed: list[UnparsedItem] = field(default_factory=list)
    revoked: bool = False


@dataclass(frozen=True)
class OutboundAttachment:
    """An image sent with a reply: its public URL (for networks that fetch by
    URL) and its bytes' location in Django storage (for those that upload)."""

    type: str
    url: str = ""
    storage_name: str = ""
    mime_type: str = ""


@dataclass(frozen=True)
class OutboundReply:
    """What a connector needs to deliver one reply."""

    idempotency_key: str
    body: str
    thread_key: str
    is_private: bool
    recipient: ContactRef
    subject: str = ""
    in_reply_to: str = ""  # external id of the item answered, when the network threads by it
    # A private answer to a public item (Meta's "private reply" to a comment).
    private_reply: bool = False
    # Files to send with the reply, where the network allows it.
    attachments: tuple[OutboundAttachment, ...] = ()
    # A message template approved by the network (WhatsApp outside the
    # 24-hour window): ``name``, ``language``, ``params`` (list of str, or dict
    # of named parameters); ``body`` then holds the text as rendered.
    template: dict | None = None


@dataclass(frozen=True)
class ReplyTemplate:
    """A message template the network allows outside its messaging window:
    its name and language, its text with ``{{1}}`` or ``{{name}}`` variables,
    and the variables in order."""

    name: str
    language: str
    text: str
    params: tuple[str, ...] = ()
    category: str = ""
    # "positional" ({{1}}) or "named" ({{first_name}})
    param_format: str = "positional"

    def render(self, values: list[str] | dict[str, str]) -> str:
        """The text with each variable replaced by its value."""
        text = self.text
        for position, name in enumerate(self.params):
            value = (
                values.get(name, "")
                if isinstance(values, dict)
                else (values[position] if position < len(values) else "")
            )
            text = text.replace("{{" + name + "}}", value)
        return text


@dataclass(frozen=True)
class SentReceipt:
    external_id: str


@dataclass(frozen=True)
class FetchResult:
    """One poll: the network's raw responses, kept for replay and parsed later
    by ``parse_poll``; the cursor to continue from; how many items it holds."""

    raw: bytes
    cursor: str
    item_count: int = 0


@dataclass
class WebhookRequest:
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class Connector:
    """Base class of every channel connector; subclasses set ``kind`` and override."""

    kind: ClassVar[str] = ""
    supports_webhooks: ClassVar[bool] = False
    supports_polling: ClassVar[bool] = False
    # Seconds between two polls of one channel, when the network allows it.
    poll_interval: ClassVar[int] = 300
    # Longest reply the network accepts, in characters; None means no limit.
    max_reply_length: ClassVar[int | None] = None
    # How long after the person's last message a private reply is allowed (Messenger: 24 h).
    reply_window: ClassVar[timedelta | None] = None
    # Whether a public item can be hidden on the network (never deleted).
    supports_hiding: ClassVar[bool] = False
    # Whether a public item can be answered privately (Meta's "private reply" to a comment).
    supports_private_reply: ClassVar[bool] = False
    # Whether replies reach the person by e-mail (shown next to the reply box).
    replies_by_email: ClassVar[bool] = False
    # Whether items carry only ids, so names come from ``fetch_profile``.
    fetches_profiles: ClassVar[bool] = False
    # The Community Manager's set-up page: a ModelForm over ``Channel`` (dotted
    # path, imported when the page opens) and its title; None: no set-up page.
    setup_form: ClassVar[str | None] = None
    setup_title: ClassVar[Promise | str] = ""

    @classmethod
    def proven_identity(cls, external_id: str) -> str:
        """What the network proves about the person behind ``external_id``, as
        ``"phone:+<digits>"`` or ``"email:<address>"`` ("" when it proves nothing):
        two contacts with the same proven identity are one person, merged without
        asking. Only networks that verify it say so (WhatsApp the number, a
        mailbox the sender's address)."""
        return ""

    @classmethod
    def webhook_urls(cls) -> list[URLPattern]:
        """App-level routes this network serves under ``/webhooks/`` (one URL for
        every account of the app); none when each channel has its own URL."""
        return []

    @classmethod
    def delivery_account(cls, body: bytes) -> str:
        """The network account a stored app-level delivery is for ("" if unknown):
        how a refused one finds its channel when replayed."""
        return ""

    @classmethod
    def webhook_path(cls, channel: Channel) -> str | None:
        """Where the network must deliver for ``channel``; None if it does not push."""
        if not cls.supports_webhooks:
            return None
        return reverse("webhooks:receive", kwargs={"kind": channel.kind, "key": channel.key})

    def __init__(self, channel: Channel):
        self.channel = channel

    @property
    def credentials(self) -> dict:
        return self.channel.credentials

    def verify_webhook(self, request: WebhookRequest) -> None:
        """Return if authentic; raise ``WebhookRejected`` otherwise."""
        raise WebhookRejected(f"{self.kind} does not receive webhooks.")

    def parse_webhook(self, body: bytes) -> list[InboundItem]:
        """Return the delivery's items; raise ``MalformedPayload`` if it cannot be read."""
        raise MalformedPayload(f"{self.kind} does not receive webhooks.")

    def fetch_since(self, cursor: str) -> FetchResult:
        """Return what is newer than ``cursor`` and the next cursor; raise ``ConnectorError``
        (with ``retry_after`` for rate limits, ``permanent`` for a revoked token)."""
        raise NotImplementedError(f"{self.kind} does not poll.")

    def parse_poll(self, body: bytes) -> list[InboundItem]:
        """Return the items of a stored poll batch; raise ``MalformedPayload``."""
        raise MalformedPayload(f"{self.kind} does not poll.")

    def parse_event(self, body: bytes, *, source: str) -> list[InboundItem]:
        """Return the items of a stored ``InboundEvent`` of either source."""
        return self.parse_poll(body) if source == "poll" else self.parse_webhook(body)

    def parse_report(self, body: bytes, *, source: str) -> ParseReport:
        """The items of a stored body of either source and the entries that could
        not be understood; raise ``MalformedPayload`` only when the whole body is
        unreadable. Connectors whose bodies hold many entries override this."""
        return ParseReport(items=self.parse_event(body, source=source))

    def complete_item(self, item: InboundItem) -> InboundItem | None:
        """Ask the network what an item needs before it can be stored (the text
        of a ``MENTION``, the thread of a ``thread_pending`` item); return the
        completed item, or None when it is gone. Raise ``ConnectorError``."""
        return replace(item, thread_pending=False)

    def fetch_profile(self, external_id: str) -> ContactRef | None:
        """The person's name and picture from the network, for networks whose
        items carry only an id; None when the network has none to give.
        Raise ``ConnectorError``."""
        return None

    def send_reply(self, reply: OutboundReply) -> SentReceipt:
        """Deliver ``reply`` once; raise ``ConnectorError`` on failure."""
        raise NotImplementedError

    # Whether sending the same reply again is harmless: the network recognises it
    # as the same message (e-mail: the same Message-ID), so an interrupted send
    # that cannot be checked may simply go again.
    resend_is_safe: ClassVar[bool] = False

    def find_sent(self, reply: OutboundReply, *, since: datetime) -> SentReceipt | None:
        """Look on the network for ``reply`` posted at or after ``since`` by the
        account (a send interrupted before its answer came back). Return its
        receipt; None when the network shows it was not sent; raise ``CannotTell``
        when the network cannot say, ``ConnectorError`` when it cannot be asked."""
        raise CannotTell(f"{self.kind} cannot look up what was sent.")

    def reply_templates(self) -> list[ReplyTemplate] | None:
        """The templates the network accepts outside its messaging window (WhatsApp's
        approved templates); None when the network has no such thing.
        Raise ``ConnectorError``."""
        return None

    def media_download(self, source: str, *, max_bytes: int) -> tuple[bytes, str]:
        """The bytes and MIME type of an attachment's ``copy_from`` source: media
        the network serves only to the account (WhatsApp media ids, e-mail parts).
        Raise ``ConnectorError`` (``permanent`` when it is gone or too large)."""
        raise ConnectorError(f"{self.kind} keeps no private media.", permanent=True)

    def hide_item(self, external_id: str, *, hidden: bool = True) -> None:
        """Hide (or show again) a public item on the network; raise ``ConnectorError``."""
        raise ConnectorError(f"{self.kind} cannot hide items.", permanent=True)

    def reply_image_allowed(self, *, private: bool) -> bool:
        """Whether a reply (private or public) can carry an image (``OutboundReply.attachments``)."""
        return False

    def validate_reply(self, body: str) -> list[str]:
        """Return the reasons this network would refuse ``body`` (empty when fine)."""
        if self.max_reply_length is not None and len(body) > self.max_reply_length:
            return [f"Too long for {self.kind}: {len(body)} of {self.max_reply_length} characters."]
        return []
