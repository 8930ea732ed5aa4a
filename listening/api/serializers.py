from rest_framework import serializers

from listening.models import Result, Watch


class WatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Watch
        fields = [
            "id",
            "name",
            "kind",
            "query",
            "channel",
            "active",
            "interval_minutes",
            "last_polled_at",
            "next_poll_at",
            "last_error",
        ]
        read_only_fields = ["last_polled_at", "next_poll_at", "last_error"]

    def validate_channel(self, channel):
        if channel.kind != "x":
            raise serializers.ValidationError("Watches search with an X account.")
        return channel


class ResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Result
        fields = [
            "id",
            "watch",
            "external_id",
            "author_handle",
            "author_name",
            "text",
            "url",
            "written_at",
            "is_question",
            "conversation",
        ]


class WatchDayCountsSerializer(serializers.Serializer):
    watch = serializers.IntegerField()
    name = serializers.CharField()
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="results per day, oldest first")
    total = serializers.IntegerField()


class ShareOfVoiceSerializer(serializers.Serializer):
    watch = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Watch.Kind.choices)
    count = serializers.IntegerField()
    percent = serializers.FloatField()


class WatchStatsSerializer(serializers.Serializer):
    """``GET listening/watches/stats/``: 14 days per watch, and 30 days' share of voice."""

    days = serializers.ListField(child=serializers.DateField())
    per_watch = WatchDayCountsSerializer(many=True)
    share_of_voice = ShareOfVoiceSerializer(many=True)
