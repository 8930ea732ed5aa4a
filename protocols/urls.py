from django.urls import path

from protocols import pages

app_name = "protocols"

urlpatterns = [
    path("rules/", pages.rule_list, name="rules"),
    path("rules/new/", pages.rule_edit, name="rule-create"),
    path("rules/<int:pk>/", pages.rule_edit, name="rule-edit"),
    path("rules/try/", pages.rule_try_view, name="rule-try"),
    path("deadlines/", pages.sla_list, name="slas"),
    path("deadlines/new/", pages.sla_edit, name="sla-create"),
    path("deadlines/<int:pk>/", pages.sla_edit, name="sla-edit"),
    path("calendars/new/", pages.calendar_edit, name="calendar-create"),
    path("calendars/<int:pk>/", pages.calendar_edit, name="calendar-edit"),
    path("escalation/new/", pages.escalation_edit, name="escalation-create"),
    path("escalation/<int:pk>/", pages.escalation_edit, name="escalation-edit"),
    path("author-lists/new/", pages.author_list_edit, name="authorlist-create"),
    path("author-lists/<int:pk>/", pages.author_list_edit, name="authorlist-edit"),
    path("crises/<int:pk>/close/", pages.crisis_close_view, name="crisis-close"),
    path("alerts/", pages.alert_list, name="alerts"),
    path("alerts/read/", pages.alerts_read, name="alerts-read"),
]
