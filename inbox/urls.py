from django.urls import path

from inbox import live, views

app_name = "inbox"

urlpatterns = [
    path("media/<path:path>", views.media_file, name="media"),
    path("", views.inbox_list, name="list"),
    # Served by the ASGI app in front of Django (config/asgi.py); this route answers elsewhere.
    path("live/", live.live_unavailable, name="live"),
    path("conversations/<int:pk>/", views.conversation_detail, name="detail"),
    path("conversations/<int:pk>/reply/", views.reply, name="reply"),
    path("conversations/<int:pk>/presence/", views.conversation_presence, name="presence"),
    path("conversations/<int:pk>/notes/", views.add_note, name="note"),
    path("conversations/<int:pk>/assign/", views.assign, name="assign"),
    path("conversations/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("conversations/<int:pk>/classify/", views.reclassify, name="reclassify"),
    path("conversations/bulk/", views.bulk, name="bulk"),
    path("views/", views.saved_view, name="saved-view"),
    path("conversations/<int:pk>/assignees/", views.assignee_picker, name="assignees"),
    path("conversations/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("messages/<int:pk>/", views.message_status, name="message"),
    path("messages/<int:pk>/retry/", views.retry, name="retry"),
    path("messages/<int:pk>/hide/", views.hide, name="hide"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/merge/", views.person_merge, name="person-merge"),
    path("people/<int:pk>/split/", views.person_split, name="person-split"),
    path("people/<int:pk>/notes/", views.person_note, name="person-note"),
    path("contacts/<int:pk>/person/", views.contact_person, name="contact-person"),
]
