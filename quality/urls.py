from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("items/<int:pk>/", views.review, name="review"),
    path("mine/", views.mine, name="mine"),
    path("reviews/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("rubric/", views.rubric_edit, name="rubric"),
]
