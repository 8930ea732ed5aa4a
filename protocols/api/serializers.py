from rest_framework import serializers

from protocols.business_time import parse_hours
from protocols.models import (
    AuthorList,
    BusinessCalendar,
    CannedReply,
    CaseProposal,
    Category,
    EscalationRule,
    Holiday,
    ProtocolChange,
    ReplyCheck,
    Rule,
    SensitiveTopic,
    SlaPolicy,
)
from protocols.models.rule import validate_pattern


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "slug", "name", "colour", "priority", "requires_reply", "handling", "examples"]


class RuleSerializer(serializers.ModelSerializer):
    updated_by: serializers.StringRelatedField = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Rule
        fields = ["id", *Rule.EDITABLE, "tags", "updated_by", "updated_at"]

    def validate_tags(self, value):
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise serializers.ValidationError("A list of strings.")
        return sorted({t.strip() for t in value if t.strip()})


class RuleTrySerializer(serializers.Serializer):
    keywords = serializers.CharField(required=False, allow_blank=True, default="")
    pattern = serializers.CharField(required=False, allow_blank=True, default="", validators=[validate_pattern])
    channel = serializers.IntegerField(required=False, allow_null=True, default=None)
    visibility = serializers.ChoiceField(choices=Rule.Visibility.choices, default=Rule.Visibility.ANY)
    author_list = serializers.IntegerField(required=False, allow_null=True, default=None)
    sentiment_below = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-1, max_value=1)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    author = serializers.CharField(required=False, allow_blank=True, default="")
    private = serializers.BooleanField(required=False, default=False)


class HolidaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["date", "name"]


class BusinessCalendarSerializer(serializers.ModelSerializer):
    holidays = HolidaySerializer(many=True, required=False)

    class Meta:
        model = BusinessCalendar
        fields = ["id", "name", "time_zone", "always_open", "hours", "holidays"]

    def validate_hours(self, value):
        try:
            parse_hours(value)
        except (ValueError, TypeError, AttributeError) as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value

    def _save_holidays(self, calendar, holidays):
        if holidays is None:
            return
        calendar.holidays.all().delete()
        Holiday.objects.bulk_create(Holiday(calendar=calendar, **h) for h in holidays)

    def create(self, validated_data):
        holidays = validated_data.pop("holidays", None)
        calendar = super().create(validated_data)
        self._save_holidays(calendar, holidays)
        return calendar

    def update(self, instance, validated_data):
        holidays = validated_data.pop("holidays", None)
        calendar = super().update(instance, validated_data)
        self._save_holidays(calendar, holidays)
        return calendar


class SlaPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "name",
            "category",
            "channel",
            "calendar",
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
            "at_risk_percent",
            "active",
            "updated_at",
        ]


class EscalationRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationRule
        fields = ["id", "trigger", "target", "category", "by_email", "active"]


class AuthorListSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuthorList
        fields = ["id", "name", "kind", "handles"]


class CannedReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = CannedReply
        fields = ["id", "title", "slug", "category", "body", "active"]


class ReplyCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReplyCheck
        fields = ["id", "kind", "mode", "words"]
        read_only_fields = ["kind"]


class SensitiveTopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = SensitiveTopic
        fields = ["id", "name", "words", "active"]


class ProtocolChangeSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", default=None, allow_null=True)

    class Meta:
        model = ProtocolChange
        fields = ["id", "model", "object_id", "object_repr", "action", "author", "at", "before", "after", "diff"]


class CaseProposalSerializer(serializers.ModelSerializer):
    proposed_by = serializers.CharField(source="proposed_by.username", read_only=True)

    class Meta:
        model = CaseProposal
        fields = ["id", "category", "conversation", "text", "proposed_by", "proposed_at", "status", "reason"]
        read_only_fields = ["status", "reason"]


class DecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ReplyCheckRequestSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)


class RuleTryResultSerializer(serializers.Serializer):
    sample_matches = serializers.BooleanField(help_text="whether the rule matches the sample text")
    reason = serializers.CharField(allow_blank=True, help_text="why it matches the sample, or empty")
    matched = serializers.IntegerField(help_text="inbound messages of the last 30 days it would have matched")
    examined = serializers.IntegerField(help_text="inbound messages of the last 30 days looked at")
    examples = serializers.ListField(child=serializers.CharField(allow_blank=True), help_text="a few matched texts")


class ReplyFindingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    message = serializers.CharField()
    blocking = serializers.BooleanField()
