"""The website channel: a contact form forwarded as signed JSON, answered by e-mail.

The site posts ``{"external_id", "name", "email", "subject", "message"}`` to
``/webhooks/web/<channel key>/`` with ``X-Mostrador-Signature: sha256=<hex>``,
the HMAC-SHA256 of the raw body with the channel secret. One contact's messages
thread into one conversation; replies go out through Django's e-mail backend.
"""

import hashlib
import json
import re
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from channels.connectors.base import (
    Connector,
    ConnectorError,
    ContactRef,
    InboundItem,
    MalformedPayload,
    OutboundReply,
    SentReceipt,
    WebhookRejected,
    WebhookRequest,
)
from channels.connectors.signatures import signature_matches

SIGNATURE_HEADER = "X-Mostrador-Signature"
FIELD_LIMITS = {"external_id": 200, "name": 200, "email": 254, "subject": 300, "message": 20_000}
# The right-hand side of a reply's Message-ID when the sender's address has no usable domain.
MESSAGE_ID_DOMAIN = "mostrador.local"
# RFC 5322 dot-atom-text (a msg-id's left side) and a host name (its right side).
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")
_MESSAGE_ID = re.compile(rf"<{_DOT_ATOM.pattern}@{_DOT_ATOM.pattern}>")


def reply_message_id(idempotency_key: str, from_email: str) -> str:
    """The Message-ID of a reply: ``<key@domain>``, a function of the idempotency
    key and the sender's domain alone, so every attempt at one reply carries the
    same id and a resend is recognisably the same message (``make_msgid`` would
    add the time and randomness)."""
    key = idempotency_key.strip()
    if not _DOT_ATOM.fullmatch(key):
        key = hashlib.sha256(idempotency_key.encode()).hexdigest()
    _local, at, domain = parseaddr(from_email)[1].rpartition("@")
    domain = domain.strip().lower() if at else ""
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        domain = ""
    if not _HOST.fullmatch(domain):
        domain = MESSAGE_ID_DOMAIN
    return f"<{key}@{domain}>"


class WebConnector(Connector):
    kind = "web"
    supports_webhooks = True
    replies_by_email = True
    # A resend carries the same Message-ID (from the idempotency key): the same message.
    resend_is_safe = True
    setup_form = "channels.connectors.web.forms.WebChannelForm"
    setup_title = _("New web channel")

    def verify_webhook(self, request: WebhookRequest) -> None:
        header = _header(request.headers, SIGNATURE_HEADER)
        if not header:
            raise WebhookRejected(f"Missing {SIGNATURE_HEADER} header.")
        if not signature_matches(secret=self.credentials.get("secret", ""), body=request.body, header_value=header):
            raise WebhookRejected(f"{SIGNATURE_HEADER} does not match the body.")

    def parse_webhook(self, body: bytes) -> list[InboundItem]:
        payload = _load_object(body)
        errors = {}
        fields = {}
        for name, limit in FIELD_LIMITS.items():
            value = payload.get(name, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                errors[name] = "must be a string"
                continue
            value = value.strip()
            if len(value) > limit:
                errors[name] = f"at most {limit} characters"
            fields[name] = value
        for required in ("email", "message"):
            if required not in errors and not fields.get(required):
                errors[required] = "is required"
        if "email" not in errors:
            try:
                validate_email(fields["email"])
            except ValidationError:
                errors["email"] = "is not a valid e-mail address"
        if errors:
            raise MalformedPayload("; ".join(f"{name} {problem}" for name, problem in sorted(errors.items())))

        email = fields["email"].lower()
        # Without the site's own id, the content identifies a submission, so a
        # re-delivered form adds nothing.
        external_id = (
            fields["external_id"]
            or "sha256:"
            + hashlib.sha256("\x1f".join((email, fields["subject"], fields["message"])).encode()).hexdigest()
        )
        author = ContactRef(external_id=email, handle=email, display_name=fields["name"] or email, email=email)
        return [
            InboundItem(
                external_id=external_id,
                thread_key=f"email:{email}",
                is_private=True,
                author=author,
                body=fields["message"],
                subject=fields["subject"],
            )
        ]

    def send_reply(self, reply: OutboundReply) -> SentReceipt:
        if not reply.recipient.email:
            raise ConnectorError("The contact has no e-mail address.", permanent=True)
        subject = reply.subject or str(self.channel.name)
        if not subject.lower().startswith("re:"):
            subject = f"Re: {subject}"
        from_email = self.credentials.get("from_email") or settings.DEFAULT_FROM_EMAIL
        # The Message-ID derives from the idempotency key: a mail server or
        # client that sees the same id twice knows it is one message.
        message_id = reply_message_id(reply.idempotency_key, from_email)
        headers = {"Message-ID": message_id}
        answered = reply.in_reply_to.strip()
        if _MESSAGE_ID.fullmatch(answered):  # the answered item is an e-mail: thread under it
            headers |= {"In-Reply-To": answered, "References": answered}
        email = EmailMessage(
            subject=subject,
            body=reply.body,
            from_email=from_email,
            to=[reply.recipient.email],
            headers=headers,
            connection=get_connection(fail_silently=False),
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise ConnectorError(f"The mail server refused the recipient: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ConnectorError(f"The mail server could not be reached: {exc}") from exc
        return SentReceipt(external_id=message_id)


def _header(headers, name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def _load_object(body: bytes) -> dict:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedPayload(f"Body is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise MalformedPayload("Body must be a JSON object.")
    return payload
