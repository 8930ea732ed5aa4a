"""Webhook endpoints: verify, store raw, queue, answer fast."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels.services import WebhookRefused, webhook_receive


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
