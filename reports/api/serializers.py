"""The weekly report's JSON, typed for the OpenAPI schema."""

from rest_framework import serializers


class FirstResponseSerializer(serializers.Serializer):
    p50 = serializers.IntegerField(allow_null=True, help_text="median, calendar seconds")
    p90 = serializers.IntegerField(allow_null=True)
    mean = serializers.IntegerField(allow_null=True)
    business_p50 = serializers.IntegerField(allow_null=True, help_text="median, seconds the SLA calendar was open")
    business_p90 = serializers.IntegerField(allow_null=True)


class DistributionSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    max_seconds = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField()


class SlaEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="null: no category, or nobody")
    name = serializers.CharField()
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    compliance = serializers.FloatField(allow_null=True)


class SlaMetricSerializer(SlaEntrySerializer):
    id = serializers.ChoiceField(choices=["first_response", "next_response", "resolution"])  # type: ignore[assignment]


class SlaSerializer(serializers.Serializer):
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    compliance = serializers.FloatField(allow_null=True)
    by_metric = SlaMetricSerializer(many=True)
    by_channel = SlaEntrySerializer(many=True)
    by_category = SlaEntrySerializer(many=True)
    by_assignee = SlaEntrySerializer(many=True)
    by_team = SlaEntrySerializer(many=True)


class UnansweredItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    contact = serializers.CharField()
    subject = serializers.CharField()
    waiting_since = serializers.DateTimeField()
    url = serializers.CharField()


class UnansweredSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    over_24h = serializers.IntegerField()
    oldest_waiting_since = serializers.DateTimeField(allow_null=True)
    items = UnansweredItemSerializer(many=True)


class OffHoursSerializer(serializers.Serializer):
    inbound = serializers.IntegerField()
    inbound_off_hours = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)
    median_first_response_inside = serializers.IntegerField(allow_null=True)
    median_first_response_outside = serializers.IntegerField(allow_null=True)


class ChannelRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    light = serializers.ChoiceField(choices=["green", "amber", "red", "grey"])
    conversations = serializers.IntegerField()
    needing_reply = serializers.IntegerField()
    answered = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    first_response_p50 = serializers.IntegerField(allow_null=True)
    unanswered = serializers.IntegerField()
    unanswered_over_24h = serializers.IntegerField()
    sla_met = serializers.IntegerField()
    sla_breached = serializers.IntegerField()
    sla_compliance = serializers.FloatField(allow_null=True)


class GestorRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    replies = serializers.IntegerField()
    resolved = serializers.IntegerField()
    first_responses = serializers.IntegerField()
    median_first_response = serializers.IntegerField(allow_null=True)
    sla_met = serializers.IntegerField()
    sla_breached = serializers.IntegerField()
    sla_compliance = serializers.FloatField(allow_null=True)
    quality_score = serializers.FloatField(
        allow_null=True,
        help_text="0 to 1: the mean score of the quality reviews of their replies sent in the period; null without",
    )
    quality_reviews = serializers.IntegerField(help_text="how many reviews the quality score is the mean of")


class CrisisSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField()
    detected_at = serializers.DateTimeField()
    conversations = serializers.IntegerField()
    first_reply_at = serializers.DateTimeField(allow_null=True)
    first_public_reply_at = serializers.DateTimeField(allow_null=True)
    silence_seconds = serializers.IntegerField(allow_null=True)
    late = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)


class WatchCountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    mentions = serializers.IntegerField()
    previous = serializers.IntegerField()


class ShareSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    share = serializers.FloatField(allow_null=True)
    previous_share = serializers.FloatField(allow_null=True)


class ListeningSerializer(serializers.Serializer):
    watches = WatchCountSerializer(many=True)
    share_of_voice = ShareSerializer(many=True)


class HiddenSerializer(serializers.Serializer):
    message_id = serializers.IntegerField()
    conversation_id = serializers.IntegerField()
    channel = serializers.CharField()
    hidden_at = serializers.DateTimeField()
    hidden_by = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    text = serializers.CharField()


class RatingWeekSerializer(serializers.Serializer):
    week = serializers.CharField()
    start = serializers.DateTimeField()
    reviews = serializers.IntegerField()
    average_stars = serializers.FloatField(allow_null=True)


class RatingsSerializer(serializers.Serializer):
    reviews = serializers.IntegerField(help_text="reviews written in the period (deleted ones left out)")
    average_stars = serializers.FloatField(allow_null=True, help_text="their average stars, 1 to 5")
    weeks = RatingWeekSerializer(many=True)


class HeadlineSerializer(serializers.Serializer):
    week = serializers.CharField()
    conversations = serializers.IntegerField()
    needing_reply = serializers.IntegerField()
    answered = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    first_response_p50 = serializers.IntegerField(allow_null=True)
    sla_met = serializers.IntegerField()
    sla_breached = serializers.IntegerField()
    sla_compliance = serializers.FloatField(allow_null=True)


class SummaryLineSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["good", "warn", "bad"])
    text = serializers.CharField()


class WeeklyReportSerializer(serializers.Serializer):
    week = serializers.CharField(help_text="ISO week (2026-W47), or first..last for a range")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    time_zone = serializers.CharField()
    generated_at = serializers.DateTimeField()
    conversations = serializers.IntegerField()
    needing_reply = serializers.IntegerField()
    answered = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    first_response_seconds = FirstResponseSerializer()
    first_response_distribution = DistributionSerializer(many=True)
    sla = SlaSerializer()
    unanswered = UnansweredSerializer()
    volume_by_hour = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=24, max_length=24),
        min_length=7,
        max_length=7,
        help_text="inbound messages by local weekday (Monday first) × hour",
    )
    off_hours = OffHoursSerializer()
    channels = ChannelRowSerializer(many=True)
    gestores = GestorRowSerializer(many=True)
    crises = CrisisSerializer(many=True)
    listening = ListeningSerializer()
    hidden = HiddenSerializer(many=True)
    ratings = RatingsSerializer()
    previous = HeadlineSerializer()
    trend = HeadlineSerializer(many=True)
    summary = SummaryLineSerializer(many=True)
