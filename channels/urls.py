from django.urls import path

from channels import views

app_name = "webhooks"

urlpatterns = [
    # App-level endpoints first: one URL per network app, routed by account id.
    path("x/", views.x_webhook, name="x"),
    path("meta/", views.meta_webhook, name="meta"),
    path("<slug:kind>/<slug:key>/", views.webhook, name="receive"),
]
