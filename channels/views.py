"""Webhook endpoints: verify, store raw, queue, answer fast.

Networks with one URL per app serve their own views from their package
(``connectors/<network>/webhook.py``), routed by ``channels/urls.py`` from the
registry; they wrap them in ``webhook_endpoint`` and answer refusals with
``refusal_response``.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels.services import WebhookRefused, delivery_refused, headers_kept, webhook_receive


def webhook_endpoint(network: str | None = None) -> Callable:
    """Refuse, as JSON and on the record, a POST too large to read (413) before
    the view reads it. ``network``: the kind recorded (else the URL's ``kind``)."""

    def decorator(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                limit = settings.MOSTRADOR_WEBHOOK_MAX_BYTES
                try:
                    declared = int(request.META.get("CONTENT_LENGTH") or 0)
                except ValueError:
                    declared = 0
                too_large = declared > limit
                if not too_large:
                    try:
                        too_large = len(request.body) > limit
                    except RequestDataTooBig:
                        too_large = True
                if too_large:
                    refused = delivery_refused(
                        413,
                        f"Body larger than {limit} bytes.",
                        channel=None,
                        kind=str(network or kwargs.get("kind", "?")),
                        body=b"",
                        headers=headers_kept(request.headers),
                        remote_addr=request.META.get("REMOTE_ADDR"),
                        signed=False,
                    )
                    return refusal_response(refused)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@webhook_endpoint()
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
    event_id = refused.event.pk if refused.event else None
    return JsonResponse({"status": "rejected", "error": refused.error, "event_id": event_id}, status=refused.status)
