"""The Meta app's webhook: one URL for every Facebook Page, Instagram account
and WhatsApp number, verified with the app secret and split per channel.

Which network a delivery is for comes from its ``object``, matched against
the ``meta_object`` the connectors declare; which account each entry is for,
from the connector's ``meta_routes``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from channels.connectors.base import MalformedPayload
from channels.connectors.registry import connector_class, connector_for, kinds
from channels.connectors.signatures import signature_matches
from channels.models import Channel, InboundEvent
from channels.services import (
    WebhookRefused,
    delivery_accepted,
    delivery_failed,
    delivery_refused,
    delivery_too_large,
    headers_kept,
    malformed_reason,
)
from channels.views import refusal_response, webhook_endpoint


def meta_kinds() -> dict[str, str]:
    """Meta's ``object`` of a delivery → our channel kind, from the connectors that
    declare one (``meta_object``: "page", "instagram", "whatsapp_business_account")."""
    found: dict[str, str] = {}
    for kind in kinds():
        meta_object = getattr(connector_class(kind), "meta_object", "")
        if meta_object:
            found.setdefault(meta_object, kind)
    return found


def meta_delivery_receive(*, body: bytes, headers: Mapping[str, str], remote_addr: str | None) -> list[InboundEvent]:
    """A Meta app delivery: one body, many entries for many pages and accounts.

    Verified with the app secret (``X-Hub-Signature-256``), then stored per
    channel before anything else happens: the entries of each page or account
    become one accepted event of its channel; entries for an account with no
    channel are recorded as rejected (to replay once the channel exists).
    Returns the accepted events; raises ``WebhookRefused`` for the whole delivery.
    """
    kept = headers_kept(headers)

    def refuse(status: int, error: str, *, signed: bool = True) -> WebhookRefused:
        return delivery_refused(
            status, error, channel=None, kind="meta", body=body, headers=kept, remote_addr=remote_addr, signed=signed
        )

    if too_large := delivery_too_large(body):
        raise refuse(413, too_large, signed=False)
    signature = {k.lower(): v for k, v in headers.items()}.get("x-hub-signature-256")
    if not signature_matches(secret=settings.META_APP_SECRET, body=body, header_value=signature):
        raise refuse(403, "Missing or wrong X-Hub-Signature-256.", signed=False)
    try:
        delivery = json.loads(body)
        kind = meta_kinds()[delivery["object"]]
        entries = list(delivery["entry"])
        # Each network says which account an entry (or a part of it) is for:
        # Pages and Instagram by the entry's id, WhatsApp by the phone number.
        by_account: dict[str, list] = {}
        network: Any = connector_class(kind)  # a Meta network's connector: it routes its entries
        for account, part in network.meta_routes(entries):
            by_account.setdefault(account, []).append(part)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise refuse(400, f"Not a Meta delivery: {malformed_reason(exc)}") from exc
    channels = {
        c.external_account_id: c
        for c in Channel.objects.filter(kind=kind, external_account_id__in=by_account, active=True)
    }
    accepted = []
    with transaction.atomic():
        for account, account_entries in by_account.items():
            part = json.dumps({"object": delivery["object"], "entry": account_entries}).encode()
            channel = channels.get(account)
            if channel is None:
                delivery_refused(
                    404,
                    f"No active {kind} channel for account {account}.",
                    channel=None,
                    kind=kind,
                    body=part,
                    headers=kept,
                    remote_addr=remote_addr,
                )
                continue
            try:
                items = connector_for(channel).parse_report(part, source="webhook").items
            except MalformedPayload as exc:
                delivery_refused(
                    400, str(exc), channel=channel, kind=kind, body=part, headers=kept, remote_addr=remote_addr
                )
                continue
            except Exception as exc:  # noqa: BLE001 - a parser bug: kept whole as a failed event, logged
                delivery_failed(channel, kind=kind, body=part, headers=kept, remote_addr=remote_addr, exc=exc)
                continue
            accepted.append(
                delivery_accepted(
                    channel, kind=kind, body=part, headers=kept, remote_addr=remote_addr, items=len(items)
                )
            )
    return accepted


@webhook_endpoint("meta")
@require_http_methods(["GET", "POST"])
def meta_webhook(request):
    """The subscription handshake on GET, signed deliveries on POST."""
    if request.method == "GET":
        mode, token = request.GET.get("hub.mode"), request.GET.get("hub.verify_token", "")
        if mode == "subscribe" and settings.META_VERIFY_TOKEN and token == settings.META_VERIFY_TOKEN:
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponse("Verification token mismatch.", status=403, content_type="text/plain")
    try:
        events = meta_delivery_receive(
            body=request.body, headers=dict(request.headers), remote_addr=request.META.get("REMOTE_ADDR")
        )
    except WebhookRefused as refused:
        return refusal_response(refused)
    return JsonResponse(
        {"status": "accepted", "events": [e.pk for e in events], "items": sum(e.item_count for e in events)}
    )
