from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import healthz
from core.accounts.views import SignInView
from reports.views import supervision_page

urlpatterns = [
    path("", include("inbox.urls")),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("core.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("channels/", include("channels.page_urls")),
    path("protocol/", include("protocols.urls")),
    path("teams/", include("teams.urls")),
    path("listening/", include("listening.urls")),
    path("quality/", include("quality.urls")),
    path("reports/", include("reports.urls")),
    path("supervision/", supervision_page, name="supervision"),
    path("alerts/", include("core.urls")),
    path("webhooks/", include("channels.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (?script), not inline: the CSP allows no inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
