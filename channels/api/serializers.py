from rest_framework import serializers

from channels.models import Channel


class ChannelSerializer(serializers.ModelSerializer):
    """Credentials are write-only: accepted, never returned."""

    credentials = serializers.DictField(child=serializers.CharField(), write_only=True, required=False)
    has_credentials = serializers.SerializerMethodField()
    webhook_url = serializers.SerializerMethodField()

    class Meta:
        model = Channel
        fields = [
            "id",
            "kind",
            "name",
            "key",
            "external_account_id",
            "active",
            "credentials",
            "has_credentials",
            "webhook_url",
            "last_event_at",
            "last_error",
            "last_error_at",
        ]
        read_only_fields = ["last_event_at", "last_error", "last_error_at"]

    def get_has_credentials(self, channel) -> bool:
        return bool(channel.credentials)

    def get_webhook_url(self, channel) -> str | None:
        """The URL to give the network (the same the channel page shows); null when it is polled."""
        path = channel.webhook_path
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request and path else path

    def update(self, instance, validated_data):
        # New credentials are merged: sending {"secret": …} keeps "from_email".
        credentials = validated_data.pop("credentials", None)
        if credentials is not None:
            instance.credentials = {**instance.credentials, **credentials}
        return super().update(instance, validated_data)
