from django.urls import path

from protocols import pages, pages_manual

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
    path("manual/", pages_manual.manual, name="manual"),
    path("manual/<slug:slug>/", pages_manual.manual_category, name="manual-category"),
    path("manual/<slug:slug>/edit/", pages_manual.category_edit, name="category-edit"),
    path("replies/", pages_manual.canned_list, name="canned"),
    path("replies/new/", pages_manual.canned_edit, name="canned-create"),
    path("replies/<int:pk>/", pages_manual.canned_edit, name="canned-edit"),
    path("checks/<int:pk>/", pages_manual.check_edit, name="check-edit"),
    path("topics/new/", pages_manual.topic_edit, name="topic-create"),
    path("topics/<int:pk>/", pages_manual.topic_edit, name="topic-edit"),
    path("history/", pages_manual.history, name="history"),
    path("conversations/<int:pk>/canned/", pages_manual.canned_for_conversation, name="canned-for"),
    path("checks/", pages_manual.checks_for_text, name="checks"),
    path("conversations/<int:pk>/propose/", pages_manual.propose, name="propose"),
    path("proposals/<int:pk>/decide/", pages_manual.decide, name="decide"),
]
