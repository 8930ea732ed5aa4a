"""The inbox over HTTP: the same selectors and services as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.permissions import CanAssign, CanReply, IsStaffRole
from inbox import selectors
from inbox.api.serializers import (
    AssignmentSerializer,
    AssignSerializer,
    BodySerializer,
    ConversationDetailSerializer,
    ConversationSerializer,
    MessageSerializer,
    ReplyConflictSerializer,
    ReplySerializer,
    conversation_rows,
)
from inbox.models import Conversation, ConversationEvent, Message
from inbox.services import conversations as conversation_services
from inbox.services import replies as reply_services

# A 409's body is the Error schema (config.openapi fills it in).
CONFLICT = OpenApiResponse(description="The conversation's state does not allow it; `detail` says why.")

FILTER_PARAMETERS = [
    OpenApiParameter("status", str, description="new, open, waiting, resolved or any (default: not resolved)"),
    OpenApiParameter("channel", int, description="channel id"),
    OpenApiParameter("scope", str, enum=list(selectors.SCOPES)),
    OpenApiParameter(
        "q",
        str,
        description='search contacts, subjects and message text: words by their start, "a phrase", @handle',
    ),
    OpenApiParameter("assignee", str, description="a user id, or `none` for unassigned"),
    OpenApiParameter("category", str, description="a category's slug"),
    OpenApiParameter("priority", int, enum=list(Conversation.Priority.values)),
    OpenApiParameter("tag", str, description="a tag the conversation carries"),
    OpenApiParameter("sla_state", str, enum=list(selectors.SLA_STATES), description="at risk or overdue"),
    OpenApiParameter("unanswered", bool, description="only conversations still owed an answer"),
    OpenApiParameter("team", int, description="a team id: the channels it attends"),
    OpenApiParameter("replied_today", int, description="a user id: the conversations they replied in today"),
    OpenApiParameter(
        "sort",
        str,
        enum=list(selectors.SORTS),
        description="oldest waiting first (default), newest, or nearest deadline; a search lists the newest first",
    ),
    OpenApiParameter("after", str, description="cursor: the page after (the `next` link carries it)"),
    OpenApiParameter("before", str, description="cursor: the page before (the `previous` link carries it)"),
]
API_PAGE_SIZE = 50


class KeysetPagination(BasePagination):
    """How the conversation list pages, for the schema: ``next`` and ``previous``
    links with a cursor and the page's ``results``, no count (``list`` pages by
    itself with ``selectors.conversation_page``)."""

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }


class ConversationViewSet(viewsets.ReadOnlyModelViewSet):
    """Conversations of the unified inbox. Nothing here deletes: there is no delete."""

    permission_classes = [IsStaffRole]
    # Keyset pages (``next``/``previous`` links with a cursor), not offsets: see ``list``.
    pagination_class = KeysetPagination

    def get_queryset(self):
        filters = selectors.InboxFilters.from_params(self.request.query_params)
        return selectors.conversation_list(user=self.request.user, filters=filters)

    def get_serializer_class(self):
        return ConversationDetailSerializer if self.action == "retrieve" else ConversationSerializer

    def get_object(self):
        conversation = get_object_or_404(
            selectors.conversation_list(user=self.request.user, filters=_any()), pk=self.kwargs["pk"]
        )
        conversation.thread = list(selectors.conversation_thread(conversation=conversation))
        return conversation

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses=ConversationSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        """A page of conversations in the inbox's order; ``next`` and ``previous``
        are links to the pages either side (null at the ends). No total: counting
        every match would cost more than the page. A filter that does not parse is a 400."""
        errors = selectors.filter_errors(request.query_params)
        if errors:
            raise ValidationError(errors)
        filters = selectors.InboxFilters.from_params(request.query_params)
        page = selectors.conversation_page(
            user=request.user,
            filters=filters,
            after=request.query_params.get("after"),
            before=request.query_params.get("before"),
            size=API_PAGE_SIZE,
        )
        return Response(
            {
                "next": _page_link(request, "after", page.next_cursor),
                "previous": _page_link(request, "before", page.previous_cursor),
                "results": conversation_rows(page.items),
            }
        )

    @extend_schema(request=ReplySerializer, responses={201: MessageSerializer, 409: ReplyConflictSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CanReply])
    def reply(self, request, pk=None, **kwargs):
        """Queue a reply. With ``after`` (the newest message the writer saw), a reply
        written since by someone else is a 409 carrying it; ``force`` sends anyway."""
        conversation = self.get_object()
        data = _valid(ReplySerializer, request)
        try:
            message = reply_services.reply_create(
                conversation=conversation,
                sender=request.user,
                body=data["body"],
                after=data.get("after"),
                force=data["force"],
            )
        except reply_services.ReplyRefused as refused:
            raise ValidationError({"body": [str(refused)]}) from refused
        except reply_services.ReplyConflict as conflict:
            body = {"detail": str(conflict), "replies": MessageSerializer(conflict.replies, many=True).data}
            return Response(body, status=status.HTTP_409_CONFLICT)
        message.refresh_from_db()
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BodySerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CanReply])
    def notes(self, request, pk=None, **kwargs):
        conversation = self.get_object()
        data = _valid(BodySerializer, request)
        note = conversation_services.note_add(conversation=conversation, author=request.user, body=data["body"])
        return Response(MessageSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssignSerializer, responses={200: ConversationSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[CanAssign])
    def assign(self, request, pk=None, **kwargs):
        data = _valid(AssignSerializer, request)
        return self._act(conversation_services.conversation_assign, assignee=data["assignee"])

    @extend_schema(request=None, responses={200: ConversationSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[CanReply])
    def resolve(self, request, pk=None, **kwargs):
        return self._act(conversation_services.conversation_resolve)

    @extend_schema(request=None, responses={200: ConversationSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[CanReply])
    def reopen(self, request, pk=None, **kwargs):
        return self._act(conversation_services.conversation_reopen)

    @extend_schema(responses=AssignmentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole history, a plain list
    def assignments(self, request, pk=None, **kwargs):
        """Who assigned it to whom, why and when: automatic, manual, queued, handed over."""
        conversation = self.get_object()
        kinds = [ConversationEvent.Kind.ASSIGNED, ConversationEvent.Kind.QUEUED, ConversationEvent.Kind.HANDED_OVER]
        events = conversation.events.filter(kind__in=kinds).select_related("actor").order_by("created_at", "id")
        return Response(AssignmentSerializer(events, many=True).data)

    def _act(self, service, **kwargs):
        conversation = self.get_object()
        try:
            updated = service(conversation=conversation, by=self.request.user, **kwargs)
        except conversation_services.ConversationActionRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return Response(ConversationSerializer(selectors.conversation_detail(pk=updated.pk)).data)


@extend_schema(
    request=None,
    responses={
        200: MessageSerializer,
        409: OpenApiResponse(description="The reply has not failed; `detail` says why."),
    },
)
@api_view(["POST"])
@permission_classes([CanReply])
def retry_message(request, pk: int):
    """Queue a failed reply again; 409 if it has not failed."""
    message = get_object_or_404(Message.objects.select_related("conversation"), pk=pk)
    try:
        message = reply_services.reply_retry(message=message, by=request.user)
    except reply_services.ReplyRefused as refused:
        return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
    return Response(MessageSerializer(message).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _page_link(request, name: str, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    url = remove_query_param(remove_query_param(request.build_absolute_uri(), "after"), "before")
    return replace_query_param(url, name, cursor)


def _any() -> selectors.InboxFilters:
    return selectors.InboxFilters(status="any")
