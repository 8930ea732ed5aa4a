"""Staff admin. Nothing users wrote can be deleted here (or anywhere)."""

from django.contrib import admin
from django.db import models

from inbox.models import Contact, Conversation, ConversationEvent, Message


class NoDeleteAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Contact)
class ContactAdmin(NoDeleteAdmin):
    list_display = ["__str__", "handle", "email", "channel", "created_at"]
    search_fields = ["display_name", "handle", "email", "external_id"]
    list_filter = ["channel"]
    # People are merged and split on their profile page, where it is audited.
    readonly_fields = ["person", "proven_identity"]


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("direction", "created_at", "body", "delivery_status", "sender")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(NoDeleteAdmin):
    list_display = ["id", "contact", "channel", "kind", "status", "assignee", "category", "waiting_since"]
    list_filter = ["status", "kind", "channel", "category"]
    search_fields = ["contact__display_name", "contact__handle", "subject"]
    raw_id_fields = ["contact", "assignee"]
    readonly_fields = ["channel", "contact", "thread_key", "first_inbound_at", "first_response_at"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(NoDeleteAdmin):
    list_display = ["id", "conversation", "direction", "delivery_status", "created_at"]
    list_filter = ["direction", "delivery_status", "channel"]
    search_fields = ["body", "external_id"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ConversationEvent)
class ConversationEventAdmin(NoDeleteAdmin):
    list_display = ["created_at", "conversation", "kind", "actor"]
    list_filter = ["kind"]
    readonly_fields = ["conversation", "kind", "actor", "data", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
