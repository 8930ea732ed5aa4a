from django.urls import path

app_name = "channels"

urlpatterns: list = []
