"""WhatsApp Business on the Cloud API.

The Meta app's webhook (``/webhooks/meta/``) carries WhatsApp deliveries too
(``object: whatsapp_business_account``); they are routed to the channel whose
``external_account_id`` is the phone number id each change names. Replies go
through ``POST /<phone-number-id>/messages``: text (and an image) within the
24-hour customer-service window after the person's last message, and outside
it only an approved template (``GET /<waba-id>/message_templates``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import ClassVar

import requests
from django.utils.translation import gettext_lazy as _

from channels.connectors.base import (
    Connector,
    ConnectorError,
    InboundItem,
    MalformedPayload,
    OutboundReply,
    ParseReport,
    ReplyTemplate,
    SentReceipt,
)
from channels.connectors.meta.connector import MetaAppEdges
from channels.connectors.meta.parsing import Collected
from channels.connectors.whatsapp.parsing import MEDIA_SOURCE, entry_items

# ``{{1}}`` or ``{{first_name}}`` in a template's text.
TEMPLATE_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


class WhatsAppConnector(MetaAppEdges, Connector):
    kind = "whatsapp"
    meta_object: ClassVar[str] = "whatsapp_business_account"
    supports_webhooks = True
    # The customer-service window: free-form replies within 24 h of the person's last message.
    reply_window: ClassVar[timedelta | None] = timedelta(hours=24)
    max_reply_length = 4096
    setup_form = "channels.connectors.whatsapp.forms.WhatsAppChannelForm"
    setup_title = _("Connect a WhatsApp Business number")
    credential_owner = "number"

    @classmethod
    def proven_identity(cls, external_id: str) -> str:
        # The sender's wa_id is the phone number WhatsApp verified.
        digits = "".join(c for c in external_id if c.isdigit())
        return f"phone:+{digits}" if digits else ""

    @classmethod
    def meta_routes(cls, entries: list) -> Iterator[tuple[str, dict]]:
        """(phone number id, entry holding only that number's changes) for each
        number a delivery speaks of. Account-level changes (template and quality
        updates) name no number: they are not conversations and are left out."""
        for entry in entries:
            by_phone: dict[str, list] = {}
            for change in entry["changes"]:
                metadata = (change.get("value") or {}).get("metadata") or {}
                if metadata.get("phone_number_id"):
                    by_phone.setdefault(str(metadata["phone_number_id"]), []).append(change)
            for phone, changes in by_phone.items():
                yield phone, {"id": entry.get("id"), "changes": changes}

    @classmethod
    def delivery_account(cls, body: bytes) -> str:
        try:
            return str(json.loads(body)["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"])
        except (ValueError, KeyError, IndexError, TypeError, RecursionError):
            return ""

    @property
    def phone_number_id(self) -> str:
        return str(self.channel.external_account_id)

    def parse_webhook(self, body: bytes) -> list[InboundItem]:
        return self.parse_report(body, source="webhook").items

    def parse_report(self, body: bytes, *, source: str) -> ParseReport:
        try:
            entries = json.loads(body)["entry"]
            if not isinstance(entries, list):
                raise TypeError("entry is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedPayload(f"Not a WhatsApp delivery: {exc!r}") from exc
        collected = Collected()
        for entry in entries:
            if isinstance(entry, dict):
                entry_items(entry, collected)
            else:
                collected.guard(entry, _not_an_entry, entry)
        return ParseReport(items=collected.items, unparsed=collected.unparsed)

    def reply_image_allowed(self, *, private: bool) -> bool:
        return True  # an image by URL, with the text as its caption

    def send_reply(self, reply: OutboundReply) -> SentReceipt:
        to = reply.thread_key.removeprefix("wa:")
        payload: dict = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        if reply.template:
            payload |= {"type": "template", "template": template_payload(reply.template)}
        elif reply.attachments:
            image = {"link": reply.attachments[0].url}
            if reply.body:
                image["caption"] = reply.body
            payload |= {"type": "image", "image": image}
        else:
            payload |= {"type": "text", "text": {"body": reply.body, "preview_url": False}}
        response = self.graph.post(f"{self.phone_number_id}/messages", payload)
        try:
            return SentReceipt(external_id=str(response["messages"][0]["id"]))
        except (KeyError, IndexError, TypeError) as exc:
            raise ConnectorError(f"Unexpected answer from WhatsApp: {response!r}"[:500], permanent=True) from exc

    def reply_templates(self) -> list[ReplyTemplate]:
        """The account's approved templates whose only variables are in the body text."""
        waba = self.credentials.get("waba_id", "")
        if not waba:
            raise ConnectorError("No WhatsApp Business Account id for this number.", permanent=True)
        answer = self.graph.get(
            f"{waba}/message_templates",
            {
                "status": "APPROVED",
                "fields": "name,language,status,category,components,parameter_format",
                "limit": 100,
            },
        )
        found = []
        for raw in answer.get("data") or []:
            if isinstance(raw, dict) and (template := parse_template(raw)) is not None:
                found.append(template)
        return sorted(found, key=lambda t: (t.name, t.language))

    def media_download(self, source: str, *, max_bytes: int) -> tuple[bytes, str]:
        """A media id → its short-lived URL (``GET /<media-id>``) → the bytes, both with the token."""
        if not source.startswith(MEDIA_SOURCE):
            raise ConnectorError(f"Not WhatsApp media: {source}", permanent=True)
        graph = self.graph
        node = graph.get(source.removeprefix(MEDIA_SOURCE))
        url = node.get("url") or ""
        if not url:
            raise ConnectorError("WhatsApp gave no URL for the media.", permanent=True)
        if int(node.get("file_size") or 0) > max_bytes:
            raise ConnectorError(f"Larger than {max_bytes} bytes", permanent=True)
        try:
            with graph.session.get(
                url, headers={"Authorization": f"Bearer {graph.access_token}"}, stream=True, timeout=30
            ) as response:
                if response.status_code in (401, 403, 404, 410):
                    raise ConnectorError(f"{response.status_code} downloading the media", permanent=True)
                if response.status_code >= 400:
                    raise ConnectorError(f"{response.status_code} downloading the media")
                content = b""
                for chunk in response.iter_content(64 * 1024):
                    content += chunk
                    if len(content) > max_bytes:
                        raise ConnectorError(f"Larger than {max_bytes} bytes", permanent=True)
                mime_type = node.get("mime_type") or response.headers.get("Content-Type", "")
        except requests.RequestException as exc:
            raise ConnectorError(f"Could not download the media: {exc}") from exc
        return content, mime_type.split(";")[0].strip().lower()


def parse_template(raw: dict) -> ReplyTemplate | None:
    """An approved template Mostrador can fill: its body's variables, none elsewhere
    (a header with media or variables, or a button with a URL variable, needs
    parameters the reply box does not ask for)."""
    body = ""
    for component in raw.get("components") or []:
        kind = (component.get("type") or "").upper()
        if kind == "BODY":
            body = component.get("text") or ""
        elif (
            kind == "HEADER"
            and (
                (component.get("format") or "TEXT").upper() != "TEXT"
                or TEMPLATE_VARIABLE.search(component.get("text") or "")
            )
        ) or (
            kind == "BUTTONS"
            and any(TEMPLATE_VARIABLE.search(button.get("url") or "") for button in component.get("buttons") or [])
        ):
            return None
    if not body or not raw.get("name"):
        return None
    params: list[str] = []
    for name in TEMPLATE_VARIABLE.findall(body):
        if name not in params:
            params.append(name)
    body = TEMPLATE_VARIABLE.sub(lambda m: "{{" + m.group(1) + "}}", body)
    named = (raw.get("parameter_format") or "").upper() == "NAMED" or any(not p.isdigit() for p in params)
    if not named:
        params.sort(key=int)
    return ReplyTemplate(
        name=str(raw["name"]),
        language=str(raw.get("language") or "es"),
        text=body,
        params=tuple(params),
        category=str(raw.get("category") or ""),
        param_format="named" if named else "positional",
    )


def template_payload(template: dict) -> dict:
    """The Cloud API's ``template`` object: name, language, the body's parameters."""
    params = template.get("params") or []
    if isinstance(params, dict):
        parameters = [{"type": "text", "parameter_name": k, "text": v} for k, v in params.items()]
    else:
        parameters = [{"type": "text", "text": v} for v in params]
    payload: dict = {"name": template["name"], "language": {"code": template.get("language") or "es"}}
    if parameters:
        payload["components"] = [{"type": "body", "parameters": parameters}]
    return payload


def _not_an_entry(entry) -> None:
    raise TypeError(f"an entry is an object, not {type(entry).__name__}")
