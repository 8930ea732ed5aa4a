from django.urls import path

from teams import pages

app_name = "teams"

urlpatterns = [
    path("", pages.team_list, name="list"),
    path("new/", pages.team_edit, name="create"),
    path("<int:pk>/edit/", pages.team_edit, name="edit"),
    path("<int:pk>/rota/", pages.rota, name="rota"),
    path("<int:pk>/rota/<str:kind>/<int:row>/delete/", pages.row_delete, name="row-delete"),
    path("members/<int:pk>/", pages.member_edit, name="member-edit"),
]
