from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.permissions import CanManageRotaOrReadOnly
from teams.api import serializers as s
from teams.models import Absence, ExtraShift, Member, PublicHoliday, Shift, Team
from teams.selectors import team_now


class RotaViewSet(viewsets.ModelViewSet):
    """Every role reads; supervisors and the Community Manager write. ``?team=<id>`` filters."""

    permission_classes = [CanManageRotaOrReadOnly]

    def get_queryset(self):
        queryset = super().get_queryset()
        team = self.request.query_params.get("team")
        if team and team.isdigit():
            field = "member__teams" if queryset.model is Absence else "team"
            queryset = queryset.filter(**{field: int(team)})
        return queryset


class TeamViewSet(viewsets.ModelViewSet):
    queryset = Team.objects.prefetch_related("channels", "members")
    serializer_class = s.TeamSerializer
    permission_classes = [CanManageRotaOrReadOnly]

    @extend_schema(responses=s.OnShiftSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="on-shift", pagination_class=None)
    def on_shift(self, request, pk=None, **kwargs):
        """The team's members now: on shift or not, until when, and their open conversations."""
        rows = team_now(team=self.get_object(), now=timezone.now())
        return Response(s.OnShiftSerializer(rows, many=True).data)


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    queryset = Member.objects.select_related("user")
    serializer_class = s.MemberSerializer
    permission_classes = [CanManageRotaOrReadOnly]


class ShiftViewSet(RotaViewSet):
    queryset = Shift.objects.all()
    serializer_class = s.ShiftSerializer


class ExtraShiftViewSet(RotaViewSet):
    queryset = ExtraShift.objects.all()
    serializer_class = s.ExtraShiftSerializer


class AbsenceViewSet(RotaViewSet):
    queryset = Absence.objects.all()
    serializer_class = s.AbsenceSerializer


class PublicHolidayViewSet(RotaViewSet):
    queryset = PublicHoliday.objects.all()
    serializer_class = s.PublicHolidaySerializer
