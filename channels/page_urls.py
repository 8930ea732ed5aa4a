from django.urls import path

from channels import pages

app_name = "channels"

urlpatterns = [
    path("", pages.channel_list, name="list"),
    path("new/", pages.channel_edit, name="create"),
    path("<int:pk>/", pages.channel_detail, name="detail"),
    path("<int:pk>/edit/", pages.channel_edit, name="edit"),
    path("deliveries/<int:pk>/replay/", pages.event_replay, name="replay"),
]
