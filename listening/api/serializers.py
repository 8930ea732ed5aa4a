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
