from django.db import transaction
from django.db.models import ProtectedError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from protocols.api import serializers as s
from protocols.escalation import alerts_mark_read
from protocols.models import Alert, AuthorList, BusinessCalendar, Category, EscalationRule, Rule, SlaPolicy
from protocols.services import rule_condition, rule_save, rule_try
from teams.permissions import CanManageProtocolOrReadOnly


class ProtocolViewSet(viewsets.ModelViewSet):
    """Every role reads the protocol; the Community Manager changes it."""

    permission_classes = [CanManageProtocolOrReadOnly]

    def destroy(self, request, *args, **kwargs):
        try:
            return super().destroy(request, *args, **kwargs)
        except ProtectedError:
            return Response({"detail": "Still in use; deactivate it instead."}, status=status.HTTP_409_CONFLICT)


class CategoryViewSet(ProtocolViewSet):
    queryset = Category.objects.all()
    serializer_class = s.CategorySerializer


class RuleViewSet(ProtocolViewSet):
    """Rules in evaluation order; the first that matches a new message classifies it."""

    queryset = Rule.objects.select_related("updated_by").order_by("position", "id")
    serializer_class = s.RuleSerializer

    def perform_create(self, serializer):
        serializer.instance = rule_save(rule=Rule(**serializer.validated_data), by=self.request.user)

    def perform_update(self, serializer):
        rule = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(rule, name, value)
        rule_save(rule=rule, by=self.request.user)

    @extend_schema(request=s.RuleTrySerializer, responses=None)
    @action(detail=False, methods=["post"], url_path="try")
    def try_rule(self, request):
        """What a rule would match: a sample text, and the last 30 days of inbound messages."""
        data = s.RuleTrySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        rule = Rule(
            keywords=values["keywords"],
            pattern=values["pattern"],
            channel_id=values["channel"],
            visibility=values["visibility"],
            author_list=AuthorList.objects.filter(pk=values["author_list"]).first() if values["author_list"] else None,
            sentiment_below=values["sentiment_below"],
        )
        trial = rule_try(
            condition=rule_condition(rule), text=values["text"], author=values["author"], is_private=values["private"]
        )
        return Response(
            {
                "sample_matches": trial.sample_match is not None,
                "reason": trial.sample_match.reason if trial.sample_match else "",
                "matched": trial.matched,
                "examined": trial.examined,
                "examples": trial.examples,
            }
        )


class BusinessCalendarViewSet(ProtocolViewSet):
    queryset = BusinessCalendar.objects.prefetch_related("holidays")
    serializer_class = s.BusinessCalendarSerializer

    @transaction.atomic
    def perform_update(self, serializer):
        serializer.save()


class SlaPolicyViewSet(ProtocolViewSet):
    queryset = SlaPolicy.objects.all()
    serializer_class = s.SlaPolicySerializer


class EscalationRuleViewSet(ProtocolViewSet):
    queryset = EscalationRule.objects.all()
    serializer_class = s.EscalationRuleSerializer


class AuthorListViewSet(ProtocolViewSet):
    queryset = AuthorList.objects.all()
    serializer_class = s.AuthorListSerializer


class AlertViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's alerts, newest first."""

    serializer_class = s.AlertSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return Alert.objects.filter(recipient=self.request.user)

    @extend_schema(request=None, responses=None)
    @action(detail=False, methods=["post"], url_path="read")
    def read(self, request):
        return Response({"marked": alerts_mark_read(user=request.user)})
