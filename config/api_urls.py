from django.urls import include, path
from rest_framework.routers import DefaultRouter

from channels.api.views import ChannelViewSet
from inbox.api.views import ConversationViewSet, obtain_token, retry_message

router = DefaultRouter()
router.register("channels", ChannelViewSet, basename="channel")
router.register("conversations", ConversationViewSet, basename="conversation")

urlpatterns = [
    path("auth/token/", obtain_token, name="api-token"),
    path("messages/<int:pk>/retry/", retry_message, name="api-message-retry"),
    path("", include(router.urls)),
]
