from django.urls import path

from core import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("read/", views.alerts_read, name="read"),
]
