"""``/webhooks/``: each network's app-level routes, declared by its connector,
then one URL per channel for the networks that give each channel its own."""

from django.urls import URLPattern, path

from channels import views
from channels.connectors.registry import connector_class, kinds

app_name = "webhooks"


def _network_routes() -> list[URLPattern]:
    routes: dict[str, URLPattern] = {}
    for kind in kinds():
        for route in connector_class(kind).webhook_urls():
            routes.setdefault(str(route.pattern), route)  # Facebook and Instagram share Meta's
    return list(routes.values())


urlpatterns = [
    *_network_routes(),
    path("<slug:kind>/<slug:key>/", views.webhook, name="receive"),
]
