from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.weekly, name="weekly"),
    path("csv/<slug:table>/", views.weekly_csv, name="csv"),
    path("email/", views.email_choice, name="email-choice"),
]
