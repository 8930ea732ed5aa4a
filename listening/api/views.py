from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.permissions import CanManageProtocolOrReadOnly, CanReply, IsStaffRole
from listening import selectors
from listening.api.serializers import ResultSerializer, WatchSerializer, WatchStatsSerializer
from listening.models import Watch
from listening.services import SendRefused, result_send_to_inbox


class WatchViewSet(viewsets.ModelViewSet):
    """The brand, keyword and competitor searches; the Community Manager edits them."""

    queryset = Watch.objects.all()
    serializer_class = WatchSerializer
    permission_classes = [CanManageProtocolOrReadOnly]

    @extend_schema(responses=WatchStatsSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def stats(self, request, **kwargs):
        """Results per watch per day (14 days) and the share of voice (30 days)."""
        now = timezone.now()
        counts = selectors.daily_counts(now=now)
        return Response(
            {
                "days": [day.isoformat() for day in counts.days],
                "per_watch": [
                    {"watch": w.pk, "name": w.name, "counts": values, "total": total}
                    for w, values, total in counts.rows
                ],
                "share_of_voice": [
                    {
                        "watch": s.watch.pk,
                        "name": s.watch.name,
                        "kind": s.watch.kind,
                        "count": s.count,
                        "percent": s.percent,
                    }
                    for s in selectors.share_of_voice(now=now)
                ],
            }
        )


class ResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The listening stream, newest first; ``?watch=``, ``?kind=``, ``?questions=1`` filter."""

    serializer_class = ResultSerializer
    permission_classes = [IsStaffRole]

    def get_queryset(self):
        params = self.request.query_params
        watch = params.get("watch", "")
        return selectors.result_stream(
            watch_id=int(watch) if watch.isdigit() else None,
            kind=params.get("kind", ""),
            questions=params.get("questions") == "1",
        )

    @extend_schema(
        request=None,
        responses={200: ResultSerializer, 409: OpenApiResponse(description="Already in the inbox; `detail` says why.")},
    )
    @action(detail=True, methods=["post"], url_path="to-inbox", permission_classes=[CanReply])
    def to_inbox(self, request, pk=None, **kwargs):
        """Send this result to the inbox, where the protocol and deadlines apply."""
        result = self.get_object()
        try:
            result_send_to_inbox(result=result, by=request.user)
        except SendRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        result.refresh_from_db()
        return Response(ResultSerializer(result).data)
