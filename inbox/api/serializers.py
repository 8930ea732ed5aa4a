from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.utils import timezone
from rest_framework import serializers

from channels.connectors.base import ATTACHMENT_TYPES
from inbox.models import Contact, Conversation, ConversationEvent, Message
from inbox.services.media import media_url


class UserRefSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class ChannelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class ContactSerializer(serializers.ModelSerializer):
    # As the network or the form gave it: not always a valid (ASCII) address.
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "handle", "display_name", "profile_url", "email"]


class AttachmentSerializer(serializers.Serializer):
    """One attachment of a message, as every network's are normalized."""

    type = serializers.ChoiceField(choices=ATTACHMENT_TYPES, default="file")
    url = serializers.CharField(default="", help_text="The network's URL (network media URLs expire).")
    preview_url = serializers.CharField(default="", help_text="A picture of a video or GIF, when there is one.")
    title = serializers.CharField(default="")
    latitude = serializers.FloatField(default=None, allow_null=True)
    longitude = serializers.FloatField(default=None, allow_null=True)
    mime_type = serializers.CharField(default="")
    stored_url = serializers.SerializerMethodField(
        help_text="Mostrador's own copy of the picture (kept when the network's URL expires); null until copied."
    )

    def get_stored_url(self, attachment) -> str | None:
        if not isinstance(attachment, dict) or not attachment.get("stored"):
            return None
        url = media_url(attachment["stored"])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "body",
            "author",
            "created_at",
            "delivery_status",
            "delivery_error",
            "network_status",
            "network_status_at",
            "network_error",
            "external_id",
            "sent_at",
            "hidden_at",
            "removed_at",
            "attachments",
        ]

    def get_author(self, message) -> str:
        if message.direction == Message.Direction.IN:
            return str(message.author_contact) if message.author_contact else ""
        return (message.sender.get_full_name() or message.sender.username) if message.sender else ""


class ConversationSerializer(serializers.ModelSerializer):
    channel = ChannelRefSerializer()
    contact = ContactSerializer()
    assignee = UserRefSerializer(allow_null=True)
    category: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "channel",
            "contact",
            "kind",
            "subject",
            "status",
            "assignee",
            "category",
            "priority",
            "first_inbound_at",
            "first_response_at",
            "last_inbound_at",
            "last_outbound_at",
            "waiting_since",
            "tags",
            "match_reason",
            "requires_reply",
            "first_response_due_at",
            "next_response_due_at",
            "resolution_due_at",
            "sla_due_at",
            "sla_state",
        ]


def conversation_rows(conversations) -> list[dict]:
    """``ConversationSerializer(conversations, many=True).data``, written out by hand:
    DRF's fields cost a few microseconds per value, and a page is 50 rows of 30 values.
    The serializer stays the declared schema; tests/api/test_conversations.py checks
    that the two agree."""
    tz = timezone.get_current_timezone()

    def when(value):  # as rest_framework.fields.DateTimeField (ISO 8601, "Z" for UTC)
        if not value:
            return None
        text = value.astimezone(tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    rows = []
    for c in conversations:
        channel, contact, assignee, category = c.channel, c.contact, c.assignee, c.category
        rows.append(
            {
                "id": c.id,
                "channel": {"id": channel.id, "name": channel.name, "kind": channel.kind},
                "contact": {
                    "id": contact.id,
                    "handle": contact.handle,
                    "display_name": contact.display_name,
                    "profile_url": contact.profile_url,
                    "email": contact.email,
                },
                "kind": c.kind,
                "subject": c.subject,
                "status": c.status,
                "assignee": None
                if assignee is None
                else {
                    "id": assignee.id,
                    "username": assignee.username,
                    "name": assignee.get_full_name() or assignee.username,
                },
                "category": None if category is None else category.slug,
                "priority": c.priority,
                "first_inbound_at": when(c.first_inbound_at),
                "first_response_at": when(c.first_response_at),
                "last_inbound_at": when(c.last_inbound_at),
                "last_outbound_at": when(c.last_outbound_at),
                "waiting_since": when(c.waiting_since),
                "tags": c.tags,
                "match_reason": c.match_reason,
                "requires_reply": c.requires_reply,
                "first_response_due_at": when(c.first_response_due_at),
                "next_response_due_at": when(c.next_response_due_at),
                "resolution_due_at": when(c.resolution_due_at),
                "sla_due_at": when(c.sla_due_at),
                "sla_state": c.sla_state,
            }
        )
    return rows


class ConversationDetailSerializer(ConversationSerializer):
    messages = MessageSerializer(many=True, source="thread")

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "messages"]


class BodySerializer(serializers.Serializer):
    # Blank or only spaces is refused: the schema says so (pattern), not only the server.
    body = serializers.CharField(max_length=20_000, trim_whitespace=True, validators=[RegexValidator(r"\S")])


class ReplySerializer(BodySerializer):
    after = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=2**63 - 1,
        help_text="The id of the newest message the writer saw. If someone replied since, "
        "the answer is 409 with those replies and nothing is sent.",
    )
    force = serializers.BooleanField(
        required=False, default=False, help_text="Send even if someone replied since `after` (asked after a 409)."
    )


class ReplyConflictSerializer(serializers.Serializer):
    """A 409 to a reply: someone replied after the message the writer saw."""

    detail = serializers.CharField()
    replies = MessageSerializer(many=True, help_text="What was said since `after`, oldest first.")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), allow_null=True)


class AssignmentSerializer(serializers.ModelSerializer):
    """One line of a conversation's assignment history."""

    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)

    class Meta:
        model = ConversationEvent
        fields = ["id", "kind", "actor", "data", "created_at"]
