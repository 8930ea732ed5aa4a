from django.urls import path

from listening import views

app_name = "listening"

urlpatterns = [
    path("", views.stream, name="stream"),
    path("watches/new/", views.watch_edit, name="watch-create"),
    path("watches/<int:pk>/", views.watch_edit, name="watch-edit"),
    path("results/<int:pk>/to-inbox/", views.send_to_inbox, name="to-inbox"),
]
