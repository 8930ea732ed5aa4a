"""The app's URLs plus two baselines measured in the same run:
``/bench/bare/`` (a Django view that touches nothing) and ``/bench/row/``
(one indexed row read from ``inbox_conversation``)."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns
from inbox.models import Conversation


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


def row(request):
    pk = int(request.GET.get("pk") or 1)
    found = Conversation.objects.filter(pk=pk).values_list("id", flat=True).first()
    return HttpResponse(str(found), content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("bench/row/", row), *app_urlpatterns]
