from django.urls import path

from core.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/code/", views.two_factor_code, name="two-factor-code"),
    path("security/", views.security, name="security"),
    path("security/two-factor/", views.two_factor_setup, name="two-factor-setup"),
    path("security/two-factor/off/", views.two_factor_disable, name="two-factor-disable"),
    path("security/backup-codes/", views.backup_codes_renew, name="backup-codes"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("password/reset/complete/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
]
