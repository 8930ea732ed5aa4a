from django.db import transaction
from django.db.models import ProtectedError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.permissions import CanManageProtocolOrReadOnly, CanReply
from protocols.api import serializers as s
from protocols.checks import reply_findings
from protocols.manual import ProposalRefused, case_decide, case_propose
from protocols.models import (
    AuthorList,
    BusinessCalendar,
    CannedReply,
    CaseProposal,
    Category,
    EscalationRule,
    ProtocolChange,
    ReplyCheck,
    Rule,
    SensitiveTopic,
    SlaPolicy,
)
from protocols.services import rule_condition, rule_save, rule_try
from protocols.versions import protocol_change_record, snapshot


class ProtocolViewSet(viewsets.ModelViewSet):
    """Every role reads the protocol; the Community Manager changes it."""

    permission_classes = [CanManageProtocolOrReadOnly]

    def perform_create(self, serializer):
        protocol_change_record(obj=serializer.save(), by=self.request.user, before=None)

    def perform_update(self, serializer):
        before = snapshot(serializer.instance)
        protocol_change_record(obj=serializer.save(), by=self.request.user, before=before)

    def perform_destroy(self, instance):
        before, pk = snapshot(instance), instance.pk
        instance.delete()
        instance.pk = pk
        protocol_change_record(obj=instance, by=self.request.user, before=before, deleted=True)

    @extend_schema(responses={204: None, 409: OpenApiResponse(description="Still in use; deactivate it instead.")})
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

    @extend_schema(request=s.RuleTrySerializer, responses=s.RuleTryResultSerializer)
    @action(detail=False, methods=["post"], url_path="try")
    def try_rule(self, request, **kwargs):
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
        super().perform_update(serializer)


class SlaPolicyViewSet(ProtocolViewSet):
    queryset = SlaPolicy.objects.all()
    serializer_class = s.SlaPolicySerializer


class EscalationRuleViewSet(ProtocolViewSet):
    queryset = EscalationRule.objects.all()
    serializer_class = s.EscalationRuleSerializer


class AuthorListViewSet(ProtocolViewSet):
    queryset = AuthorList.objects.all()
    serializer_class = s.AuthorListSerializer


class CannedReplyViewSet(ProtocolViewSet):
    queryset = CannedReply.objects.all()
    serializer_class = s.CannedReplySerializer


class ReplyCheckViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """The three checks and their modes; ``check/`` runs them on a text."""

    queryset = ReplyCheck.objects.all()
    serializer_class = s.ReplyCheckSerializer
    permission_classes = [CanManageProtocolOrReadOnly]

    def perform_update(self, serializer):
        ProtocolViewSet.perform_update(self, serializer)

    @extend_schema(request=s.ReplyCheckRequestSerializer, responses=s.ReplyFindingSerializer(many=True))
    @action(detail=False, methods=["post"], permission_classes=[CanReply], pagination_class=None)
    def check(self, request, **kwargs):
        """What the checks say about a reply before it is sent."""
        data = s.ReplyCheckRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        findings = reply_findings(data.validated_data["body"])
        return Response([{"kind": f.kind, "message": f.message, "blocking": f.blocking} for f in findings])


class SensitiveTopicViewSet(ProtocolViewSet):
    queryset = SensitiveTopic.objects.all()
    serializer_class = s.SensitiveTopicSerializer


class ProtocolChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """The versions of the protocol, newest first; ``?model=protocols.rule&object_id=3`` filters."""

    serializer_class = s.ProtocolChangeSerializer
    permission_classes = [CanManageProtocolOrReadOnly]

    def get_queryset(self):
        changes = ProtocolChange.objects.select_related("author")
        params = self.request.query_params
        if params.get("model"):
            changes = changes.filter(model=params["model"])
        if params.get("object_id", "").isdigit():
            changes = changes.filter(object_id=int(params["object_id"]))
        return changes


class CaseProposalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Gestores propose cases from conversations; the CM accepts or rejects them."""

    queryset = CaseProposal.objects.select_related("proposed_by")
    serializer_class = s.CaseProposalSerializer
    permission_classes = [CanReply]

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = case_propose(
                category=data["category"],
                text=data["text"],
                by=self.request.user,
                conversation=data.get("conversation"),
            )
        except ProposalRefused as refused:
            raise ValidationError({"text": str(refused)}) from refused

    @extend_schema(
        request=s.DecisionSerializer,
        responses={
            200: s.CaseProposalSerializer,
            409: OpenApiResponse(description="Already decided; `detail` says why."),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CanManageProtocolOrReadOnly])
    def decide(self, request, pk=None, **kwargs):
        data = s.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            proposal = case_decide(proposal=self.get_object(), by=request.user, **data.validated_data)
        except ProposalRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return Response(s.CaseProposalSerializer(proposal).data)
