"""Webhook endpoints: verify, store raw, queue, answer fast.

Networks with one URL per app serve their own views from their package
(``connectors/<network>/webhook.py``), routed by ``channels/urls.py`` from the
registry; they answer refusals with ``refusal_response``.
"""

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
        return refusal_response(refused)
    return JsonResponse({"status": "accepted", "event_id": event.pk, "items": event.item_count}, status=202)


def refusal_response(refused: WebhookRefused) -> JsonResponse:
    return JsonResponse(
        {"status": "rejected", "error": refused.error, "event_id": refused.event.pk}, status=refused.status
    )
