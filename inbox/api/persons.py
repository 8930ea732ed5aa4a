"""People over HTTP: profiles with their identities, conversations and notes; merge, split, note."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from core.permissions import CanReply, IsStaffRole
from inbox import selectors
from inbox.api.serializers import ChannelRefSerializer, UserRefSerializer
from inbox.models import Contact, Person, PersonChange, PersonNote
from inbox.services import persons

REFUSED = OpenApiResponse(description="The merge or split cannot be done; `detail` says why.")


class IdentitySerializer(serializers.ModelSerializer):
    channel = ChannelRefSerializer(read_only=True)
    # As the network or the form gave them: not always a valid (ASCII) address or URL.
    email = serializers.CharField(read_only=True)
    profile_url = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "channel", "external_id", "handle", "display_name", "email", "profile_url", "proven_identity"]


class PersonSerializer(serializers.ModelSerializer):
    identities = IdentitySerializer(source="contacts", many=True, read_only=True)

    class Meta:
        model = Person
        fields = ["id", "display_name", "merged_into", "created_at", "identities"]


class PersonConversationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = ChannelRefSerializer()
    subject = serializers.CharField()
    status = serializers.CharField()
    last_inbound_at = serializers.DateTimeField(allow_null=True)


class PersonNoteSerializer(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = PersonNote
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class PersonChangeSerializer(serializers.ModelSerializer):
    by = UserRefSerializer(read_only=True)

    class Meta:
        model = PersonChange
        fields = ["id", "kind", "person", "other", "contact", "by", "reason", "created_at"]


class PersonDetailSerializer(PersonSerializer):
    conversations = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "conversations", "notes", "changes"]

    @extend_schema_field(PersonConversationSerializer(many=True))
    def get_conversations(self, person):
        """The latest 50, on every channel."""
        return PersonConversationSerializer(persons.person_conversations(person=person), many=True).data

    @extend_schema_field(PersonNoteSerializer(many=True))
    def get_notes(self, person):
        """The latest 50."""
        return PersonNoteSerializer(person.notes.select_related("author")[:50], many=True).data

    @extend_schema_field(PersonChangeSerializer(many=True))
    def get_changes(self, person):
        """Joins, merges and splits, latest 20."""
        return PersonChangeSerializer(person.changes.select_related("by")[:20], many=True).data


class MergeSerializer(serializers.Serializer):
    other = serializers.IntegerField(help_text="the person merged into this one (kept, pointing here)")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SplitSerializer(serializers.Serializer):
    contact = serializers.IntegerField(help_text="the identity taken out into a person of its own")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class NoteBodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class PersonPages(CursorPagination):
    ordering = "-id"
    page_size = 50


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People: a person's identities on every channel, gathered into one profile.
    The list pages by cursor (newest first); ``?q=`` finds people by an identity's
    name, handle, e-mail or network id (at most 10)."""

    permission_classes = [IsStaffRole]
    pagination_class = PersonPages

    def get_queryset(self):
        return Person.objects.filter(merged_into__isnull=True).prefetch_related("contacts__channel")

    def get_serializer_class(self):
        return PersonDetailSerializer if self.action == "retrieve" else PersonSerializer

    @extend_schema(parameters=[OpenApiParameter("q", str, description="name, @handle, e-mail or network id")])
    def list(self, request, *args, **kwargs):
        q = request.query_params.get("q", "")
        if q:
            found = selectors.persons_search(q=q)
            return Response({"next": None, "previous": None, "results": PersonSerializer(found, many=True).data})
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        person = get_object_or_404(Person.objects.prefetch_related("contacts__channel"), pk=kwargs["pk"])
        return Response(PersonDetailSerializer(persons.live_person(person)).data)

    @extend_schema(request=MergeSerializer, responses={200: PersonDetailSerializer, 409: REFUSED})
    @action(detail=True, methods=["post"], permission_classes=[CanReply])
    def merge(self, request, pk=None, **kwargs):
        """Merge another person into this one (audited)."""
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = get_object_or_404(Person, pk=pk)
        other = get_object_or_404(Person, pk=data.validated_data["other"])
        try:
            persons.person_merge(
                person=person, other=other, by=request.user, reason=data.validated_data.get("reason", "")
            )
        except persons.PersonRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return Response(PersonDetailSerializer(Person.objects.get(pk=person.pk)).data)

    @extend_schema(request=SplitSerializer, responses={201: PersonDetailSerializer, 409: REFUSED})
    @action(detail=True, methods=["post"], permission_classes=[CanReply])
    def split(self, request, pk=None, **kwargs):
        """Take one identity out of this person into a new one (audited); answers the new person."""
        data = SplitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = get_object_or_404(Person, pk=pk)
        contact = get_object_or_404(Contact, pk=data.validated_data["contact"])
        try:
            new = persons.person_split(
                person=person, contact=contact, by=request.user, reason=data.validated_data.get("reason", "")
            )
        except persons.PersonRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return Response(PersonDetailSerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteBodySerializer, responses={201: PersonNoteSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CanReply])
    def notes(self, request, pk=None, **kwargs):
        """Add a note about this person."""
        data = NoteBodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = get_object_or_404(Person, pk=pk)
        try:
            note = persons.person_note_add(person=person, author=request.user, body=data.validated_data["body"])
        except persons.PersonRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(PersonNoteSerializer(note).data, status=status.HTTP_201_CREATED)
