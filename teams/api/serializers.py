from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from teams.models import Absence, ExtraShift, Member, PublicHoliday, Shift, Team


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = ["id", "user", "username", "name", "capacity", "languages", "away"]
        read_only_fields = ["user"]

    def get_name(self, member) -> str:
        return str(member)

    def validate_languages(self, value):
        if not isinstance(value, list) or not all(isinstance(code, str) and 2 <= len(code) <= 8 for code in value):
            raise serializers.ValidationError('A list of language codes, e.g. ["es", "en"].')
        return [code.lower() for code in value]


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "time_zone", "channels", "members", "strategy"]


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "09:00:00"})
class WallClockTimeField(serializers.TimeField):
    """A time of day in the team's time zone, without an offset: OpenAPI's
    ``format: time`` (RFC 3339) requires one, so it is documented as a pattern."""


class ShiftSerializer(serializers.ModelSerializer):
    starts = WallClockTimeField()
    ends = WallClockTimeField()

    class Meta:
        model = Shift
        fields = ["id", "team", "member", "weekday", "starts", "ends"]

    def validate(self, data):
        if data.get("starts") is not None and data.get("starts") == data.get("ends"):
            raise serializers.ValidationError("A shift cannot last 24 hours; split it in two.")
        team, member = data.get("team"), data.get("member")
        if team and member and not team.members.filter(pk=member.pk).exists():
            raise serializers.ValidationError("The member does not belong to the team.")
        return data


class ExtraShiftSerializer(ShiftSerializer):
    class Meta:
        model = ExtraShift
        fields = ["id", "team", "member", "starts_at", "ends_at"]

    def validate(self, data):
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise serializers.ValidationError("It must end after it starts.")
        return super().validate(data)


class AbsenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Absence
        fields = ["id", "member", "kind", "first_day", "last_day", "note"]

    def validate(self, data):
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            raise serializers.ValidationError("The last day is before the first.")
        return data


class PublicHolidaySerializer(serializers.ModelSerializer):
    class Meta:
        model = PublicHoliday
        fields = ["id", "team", "date", "name"]


class OnShiftSerializer(serializers.Serializer):
    member = MemberSerializer()
    on_shift = serializers.BooleanField()
    shift_ends_at = serializers.DateTimeField(allow_null=True)
    open_count = serializers.IntegerField()
