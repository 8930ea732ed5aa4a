"""Webhook endpoints: verify, store raw, queue, answer fast."""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from channels.connectors.x.connector import XConnector
from channels.services import WebhookRefused, webhook_receive, x_delivery_receive


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
        return JsonResponse(
            {"status": "rejected", "error": refused.error, "event_id": refused.event.pk}, status=refused.status
        )
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
        return JsonResponse(
            {"status": "rejected", "error": refused.error, "event_id": refused.event.pk}, status=refused.status
        )
    return JsonResponse({"status": "accepted", "event_id": event.pk, "items": event.item_count}, status=200)
