from django.urls import include, path
from rest_framework.routers import DefaultRouter

from channels.api.views import ChannelViewSet
from core.accounts.api import token_obtain, token_revoke_view
from core.api import AlertViewSet
from inbox.api.persons import PersonViewSet
from inbox.api.views import ConversationViewSet, retry_message
from listening.api import views as listening_views
from protocols.api import views as protocol_views
from quality.api import views as quality_views
from reports.api.views import weekly_report
from teams.api import views as team_views


class IntegerIdRouter(DefaultRouter):
    """Detail routes match integer ids only: ``/conversations/abc/`` is a 404, not a 500."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        value = getattr(viewset, "lookup_value_regex", r"\d+" if lookup_field in ("pk", "id") else "[^/.]+")
        return f"(?P<{lookup_prefix}{kwarg}>{value})"


router = IntegerIdRouter()
router.register("channels", ChannelViewSet, basename="channel")
router.register("conversations", ConversationViewSet, basename="conversation")
router.register("persons", PersonViewSet, basename="person")
router.register("protocol/categories", protocol_views.CategoryViewSet, basename="category")
router.register("protocol/rules", protocol_views.RuleViewSet, basename="rule")
router.register("protocol/calendars", protocol_views.BusinessCalendarViewSet, basename="calendar")
router.register("protocol/slas", protocol_views.SlaPolicyViewSet, basename="sla-policy")
router.register("protocol/escalation-rules", protocol_views.EscalationRuleViewSet, basename="escalation-rule")
router.register("protocol/author-lists", protocol_views.AuthorListViewSet, basename="author-list")
router.register("protocol/canned-replies", protocol_views.CannedReplyViewSet, basename="canned-reply")
router.register("protocol/checks", protocol_views.ReplyCheckViewSet, basename="reply-check")
router.register("protocol/sensitive-topics", protocol_views.SensitiveTopicViewSet, basename="sensitive-topic")
router.register("protocol/versions", protocol_views.ProtocolChangeViewSet, basename="protocol-change")
router.register("protocol/proposals", protocol_views.CaseProposalViewSet, basename="case-proposal")
router.register("alerts", AlertViewSet, basename="alert")
router.register("reviews/queue", quality_views.ReviewQueueViewSet, basename="review-queue")
router.register("reviews/rubric", quality_views.CriterionViewSet, basename="review-criterion")
router.register("reviews", quality_views.ReviewViewSet, basename="review")
router.register("listening/watches", listening_views.WatchViewSet, basename="watch")
router.register("listening/results", listening_views.ResultViewSet, basename="listening-result")
router.register("teams", team_views.TeamViewSet, basename="team")
router.register("members", team_views.MemberViewSet, basename="member")
router.register("shifts", team_views.ShiftViewSet, basename="shift")
router.register("extra-shifts", team_views.ExtraShiftViewSet, basename="extra-shift")
router.register("absences", team_views.AbsenceViewSet, basename="absence")
router.register("public-holidays", team_views.PublicHolidayViewSet, basename="public-holiday")

urlpatterns = [
    path("auth/token/", token_obtain, name="api-token"),
    path("auth/token/revoke/", token_revoke_view, name="api-token-revoke"),
    path("messages/<int:pk>/retry/", retry_message, name="api-message-retry"),
    path("reports/weekly/", weekly_report, name="api-report-weekly"),
    path("", include(router.urls)),
]
