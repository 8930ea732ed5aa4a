from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, permission_classes, renderer_classes
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from core.permissions import IsStaffRole
from reports import presenting
from reports.api.serializers import WeeklyReportSerializer
from reports.views import BadPeriod, _int, period_from


class ReportCSVRenderer(BaseRenderer):
    """``?format=csv``: every table of the report, each after a ``# name`` line."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if "volume_by_hour" not in (data or {}):  # an error: say it plainly
            return str(data.get("detail", data) if isinstance(data, dict) else data)
        return presenting.csv_text(data, presenting.TABLES)


@extend_schema(
    parameters=[
        OpenApiParameter("week", OpenApiTypes.STR, description="ISO week, e.g. 2026-W47 (default: the last complete)"),
        OpenApiParameter("to", OpenApiTypes.STR, description="last week of a range (inclusive)"),
        OpenApiParameter("channel", OpenApiTypes.INT),
        OpenApiParameter("team", OpenApiTypes.INT),
        OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
    ],
    responses={200: WeeklyReportSerializer},
)
@api_view(["GET"])
@permission_classes([IsStaffRole])
@renderer_classes([JSONRenderer, BrowsableAPIRenderer, ReportCSVRenderer])
def weekly_report(request):
    """The weekly report (owner, CM and supervisors: everything; a gestor: their teams'
    channels and their own row among the people)."""
    from reports.selectors import report_build, scope_for

    try:
        period = period_from(request.query_params)
    except BadPeriod as exc:
        # Errors are JSON, whatever format the report was asked in.
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        raise ValidationError({"week": [str(exc)]}) from exc
    scope = scope_for(
        user=request.user,
        team_id=_int(request.query_params.get("team")),
        channel_id=_int(request.query_params.get("channel")),
    )
    report = report_build(period=period, scope=scope)
    report["summary"] = presenting.summary(report)
    data = WeeklyReportSerializer(report).data
    if request.accepted_renderer.format == "csv":
        response = Response(report)
        response["Content-Disposition"] = f'attachment; filename="mostrador-{period.label}.csv"'
        return response
    return Response(data)
