"""The API of what core owns: the signed-in user's alerts."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.alerts import alerts_mark_read
from core.models import Alert


class AlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = ["id", "kind", "conversation", "text", "created_at", "read_at"]


class AlertViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's alerts, newest first."""

    serializer_class = AlertSerializer

    def get_queryset(self):
        return Alert.objects.filter(recipient=self.request.user)

    @extend_schema(request=None, responses=inline_serializer("AlertsMarked", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read")
    def read(self, request, **kwargs):
        return Response({"marked": alerts_mark_read(user=request.user)})
