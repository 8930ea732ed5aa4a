from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core.permissions import CanAssign, IsStaffRole
from quality.api import serializers as s
from quality.models import Criterion
from quality.selectors import queue_pending, reviews_visible
from quality.services import ReviewRefused, review_acknowledge, review_create, rubric

GESTOR = OpenApiParameter("gestor", int, description="only this person's")


@extend_schema_view(list=extend_schema(parameters=[GESTOR]))
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Reviews of replies: supervisors and the CM write them; the reviewed person reads their own
    (supervisors, the CM and the owner read all) and acknowledges them."""

    serializer_class = s.ReviewSerializer
    permission_classes = [IsStaffRole]

    def get_permissions(self):
        if self.action == "create":
            return [IsStaffRole(), CanAssign()]
        return super().get_permissions()

    def get_queryset(self):
        reviews = reviews_visible(user=self.request.user)
        gestor = self.request.query_params.get("gestor", "")
        if self.action == "list" and gestor:
            if not gestor.isdigit():
                raise ValidationError({"gestor": "a user id"})
            reviews = reviews.filter(gestor_id=int(gestor))
        return reviews

    @extend_schema(
        request=s.ReviewCreateSerializer,
        responses={
            201: s.ReviewSerializer,
            409: OpenApiResponse(description="Already reviewed; `detail` says why."),
        },
    )
    def create(self, request, *args, **kwargs):
        data = s.ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        item = values["item"]
        if item.status == item.Status.REVIEWED:
            return Response({"detail": "This reply was reviewed already."}, status=status.HTTP_409_CONFLICT)
        try:
            review = review_create(
                item=item,
                by=request.user,
                scores=values["scores"],
                comment=values["comment"],
                case_category=values["case_category"],
                case_text=values["case_text"],
            )
        except ReviewRefused as refused:
            if item.__class__.objects.filter(pk=item.pk, status=item.Status.REVIEWED).exists():
                return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
            raise ValidationError({"scores": str(refused)}) from refused
        return Response(s.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.ReviewSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None, **kwargs):
        """The reviewed person read it (only they may; again changes nothing)."""
        try:
            review = review_acknowledge(review=self.get_object(), by=request.user)
        except (PermissionError, DjangoPermissionDenied) as refused:
            raise PermissionDenied("Only the person reviewed acknowledges a review.") from refused
        return Response(s.ReviewSerializer(review).data)


@extend_schema_view(list=extend_schema(parameters=[GESTOR]))
class ReviewQueueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The replies waiting for review (supervisors and the CM)."""

    serializer_class = s.QueueItemSerializer
    permission_classes = [CanAssign]

    def get_queryset(self):
        items = queue_pending()
        gestor = self.request.query_params.get("gestor", "")
        if self.action == "list" and gestor:
            if not gestor.isdigit():
                raise ValidationError({"gestor": "a user id"})
            items = items.filter(gestor_id=int(gestor))
        return items


class CriterionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The rubric every review is scored on (the CM edits it on the Quality review page)."""

    serializer_class = s.CriterionSerializer
    permission_classes = [IsStaffRole]
    pagination_class = None

    def get_queryset(self):
        rubric()  # the defaults, if the rubric was never set
        return Criterion.objects.all()
