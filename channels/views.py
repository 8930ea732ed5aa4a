"""Webhook endpoints: verify, store raw, queue, answer fast."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from channels.connectors.x.connector import XConnector
from channels.services import WebhookRefused, meta_delivery_receive, webhook_receive, x_delivery_receive


@csrf_exempt
@require_POST
def webhook(request, kind: str, key: str):
    try:
        event = webhook_receive(
            kind=kind,
            key=key,
            body=request.body,
            headers=dict(request.headers),
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
    except WebhookRefused as refused:
        return _refused(refused)
    return JsonResponse({"status": "accepted", "event_id": event.pk, "items": event.item_count}, status=202)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def x_webhook(request):
    """X's Account Activity webhook: the CRC check on GET, signed deliveries on POST."""
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
        return _refused(refused)
    return JsonResponse({"status": "accepted", "event_id": event.pk, "items": event.item_count}, status=200)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_webhook(request):
    """The Meta app's callback: the subscription handshake on GET, signed deliveries on POST."""
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
        return _refused(refused)
    return JsonResponse(
        {"status": "accepted", "events": [e.pk for e in events], "items": sum(e.item_count for e in events)}
    )


def _refused(refused: WebhookRefused) -> JsonResponse:
    return JsonResponse(
        {"status": "rejected", "error": refused.error, "event_id": refused.event.pk}, status=refused.status
    )
