from django import forms
from django.contrib import admin

from channels.models import Channel, InboundEvent


class ChannelAdminForm(forms.ModelForm):
    """Credentials are write-only: a new secret replaces the old, an empty one keeps it."""

    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))

    class Meta:
        model = Channel
        fields = ["kind", "name", "key", "external_account_id", "active"]

    def save(self, commit=True):
        channel = super().save(commit=False)
        if self.cleaned_data.get("secret"):
            channel.credentials = {**channel.credentials, "secret": self.cleaned_data["secret"]}
        if commit:
            channel.save()
        return channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelAdminForm
    list_display = ["name", "kind", "key", "active", "last_event_at", "last_error_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "key", "external_account_id"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "channel", "source", "status", "item_count", "received_at", "error"]
    list_filter = ["status", "kind", "source"]
    readonly_fields = [f.name for f in InboundEvent._meta.fields if f.name != "body"] + ["body_text"]
    exclude = ["body"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
