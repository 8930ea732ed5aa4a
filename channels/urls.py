from django.urls import path

from channels import views

app_name = "webhooks"

urlpatterns = [
    path("<slug:kind>/<slug:key>/", views.webhook, name="receive"),
]
