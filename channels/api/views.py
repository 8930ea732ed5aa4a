from rest_framework import mixins, viewsets

from channels.api.serializers import ChannelSerializer
from channels.models import Channel
from core.permissions import CanManageChannelsOrReadOnly


class ChannelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Every role reads channels; only the Community Manager creates and edits them. No delete."""

    queryset = Channel.objects.order_by("name")
    serializer_class = ChannelSerializer
    permission_classes = [CanManageChannelsOrReadOnly]
