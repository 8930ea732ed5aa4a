from rest_framework import serializers

from listening.forms import watch_errors
from listening.models import Result, Watch


class WatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Watch
        fields = [
            "id",
            "name",
            "kind",
            "source",
            "query",
            "feed_url",
            "keywords",
            "channel",
            "active",
            "interval_minutes",
            "last_polled_at",
            "next_poll_at",
            "last_error",
            "failures",
        ]
        read_only_fields = ["last_polled_at", "next_poll_at", "last_error", "failures"]

    def validate(self, attrs):
        def value(name, default=""):
            return attrs.get(name, getattr(self.instance, name, default) if self.instance else default)

        errors = watch_errors(
            source=value("source", Watch.Source.X) or Watch.Source.X,
            query=value("query"),
            feed_url=value("feed_url"),
            channel=value("channel", None),
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Result
        fields = [
            "id",
            "watch",
            "external_id",
            "author_handle",
            "author_name",
            "title",
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
