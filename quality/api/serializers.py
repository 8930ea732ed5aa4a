from rest_framework import serializers

from protocols.models import Category
from quality.models import Criterion, Review, ReviewItem


class CriterionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="the label, or the default name of the key")

    class Meta:
        model = Criterion
        fields = ["id", "key", "name", "position", "active"]


class QueueItemSerializer(serializers.ModelSerializer):
    body = serializers.CharField(source="message.body", read_only=True, help_text="the reply's text")
    week = serializers.DateField(source="monday", read_only=True, help_text="the Monday of the week it was sent")
    findings = serializers.ListField(child=serializers.DictField(child=serializers.CharField()), read_only=True)

    class Meta:
        model = ReviewItem
        fields = ["id", "message", "conversation", "gestor", "week", "reason", "findings", "status", "body"]


class ScoreSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    score = serializers.IntegerField(min_value=0, max_value=2)


class ReviewSerializer(serializers.ModelSerializer):
    message = serializers.IntegerField(source="item.message_id", read_only=True)
    conversation = serializers.IntegerField(source="item.conversation_id", read_only=True)
    body = serializers.CharField(source="item.message.body", read_only=True, help_text="the reply reviewed")
    week = serializers.DateField(source="monday", read_only=True, help_text="the Monday of the week it was sent")
    scores = ScoreSerializer(source="score_lines", many=True, read_only=True)
    score = serializers.FloatField(read_only=True, help_text="0 to 1: the criteria's scores over their maximum")

    class Meta:
        model = Review
        fields = [
            "id", "item", "message", "conversation", "body", "gestor", "reviewer", "week", "scores", "score",
            "comment", "created_at", "acknowledged_at", "proposal",
        ]  # fmt: skip
        read_only_fields = ["gestor", "reviewer", "created_at", "acknowledged_at", "proposal"]


class ReviewCreateSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(
        queryset=ReviewItem.objects.all(), help_text="the review queue item (a reply) to score"
    )
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=2),
        help_text="criterion key → 0 (no), 1 (partly) or 2 (yes), one per active criterion (`reviews/rubric/`)",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    case_category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="with `case_text`: propose the reply as a new case for this category of the manual",
    )
    case_text = serializers.CharField(required=False, allow_blank=True, default="")
