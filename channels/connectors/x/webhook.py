"""X's Account Activity webhook: one URL for the app, routed to the X channel
of ``for_user_id``. The CRC check answers GET; signed deliveries come by POST."""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_http_methods

from channels.connectors.base import MalformedPayload, WebhookRejected, WebhookRequest
from channels.connectors.registry import connector_for
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


def x_delivery_receive(*, body: bytes, headers: Mapping[str, str], remote_addr: str | None) -> InboundEvent:
    """An Account Activity delivery to the app's one URL: verified with the app's
    consumer secret, routed to the X channel of ``for_user_id``. Refusals are
    recorded (a delivery for an account with no channel too, to replay later)."""
    from channels.connectors.x.connector import XConnector

    kept = headers_kept(headers)

    def refuse(status: int, error: str, channel: Channel | None = None, *, signed: bool = True) -> WebhookRefused:
        return delivery_refused(
            status,
            error,
            channel=channel,
            kind="x",
            body=body,
            headers=kept,
            remote_addr=remote_addr,
            signed=signed,
        )

    if too_large := delivery_too_large(body):
        raise refuse(413, too_large, signed=False)
    try:
        XConnector.verify_signature(WebhookRequest(body=body, headers=headers))
    except WebhookRejected as exc:
        raise refuse(403, str(exc), signed=False) from exc
    try:
        user_id = activity_account(json.loads(body))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise refuse(400, f"Not an Account Activity delivery: {malformed_reason(exc)}") from exc
    channel = Channel.objects.filter(kind="x", external_account_id=user_id, active=True).first()
    if channel is None:
        raise refuse(404, f"No active X channel for account {user_id}.")
    try:
        items = connector_for(channel).parse_report(body, source="webhook").items
    except MalformedPayload as exc:
        raise refuse(400, str(exc), channel) from exc
    except Exception as exc:  # noqa: BLE001 - a parser bug: kept whole as a failed event, logged
        return delivery_failed(channel, kind="x", body=body, headers=kept, remote_addr=remote_addr, exc=exc)
    return delivery_accepted(channel, kind="x", body=body, headers=kept, remote_addr=remote_addr, items=len(items))


def activity_account(delivery: dict) -> str:
    """The account a delivery is for: ``for_user_id``, or for a ``user_event``
    (the person revoked the app, sent without ``for_user_id``) its source user.
    Raises ``KeyError`` when there is neither."""
    if "for_user_id" in delivery:
        return str(delivery["for_user_id"])
    return str(delivery["user_event"]["revoke"]["source"]["user_id"])


@webhook_endpoint("x")
@require_http_methods(["GET", "POST"])
def x_webhook(request):
    """The CRC check on GET, signed deliveries on POST."""
    from channels.connectors.x.connector import XConnector

    if request.method == "GET":
        token = request.GET.get("crc_token", "")
        if not token or not settings.X_CONSUMER_SECRET:
            return JsonResponse({"error": "crc_token missing or X is not configured."}, status=400)
        return JsonResponse({"response_token": XConnector.crc_response(token)})
    try:
        event = x_delivery_receive(
            body=request.body, headers=dict(request.headers), remote_addr=request.META.get("REMOTE_ADDR")
        )
    except WebhookRefused as refused:
        return refusal_response(refused)
    return JsonResponse({"status": "accepted", "event_id": event.pk, "items": event.item_count}, status=200)
