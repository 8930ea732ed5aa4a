"""The CM's set-up form of a WhatsApp Business number."""

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.models import Channel


class WhatsAppChannelForm(forms.ModelForm):
    """A WhatsApp number: its phone number id, its Business Account id (for the
    templates) and a system-user access token (write-only)."""

    waba_id = forms.CharField(
        label=_("WhatsApp Business Account id"),
        max_length=64,
        help_text=_("Where the approved message templates are listed from."),
    )
    access_token = forms.CharField(
        label=_("Access token"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Channel
        fields = ["name", "key", "external_account_id", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["external_account_id"].required = True
        self.fields["external_account_id"].label = _("Phone number id")
        credentials = self.instance.credentials or {}
        self.fields["waba_id"].initial = credentials.get("waba_id", "")
        stored = bool(credentials.get("access_token"))
        self.fields["access_token"].required = not stored
        self.fields["access_token"].help_text = _(
            "System user token with whatsapp_business_messaging and whatsapp_business_management."
        ) + (" " + str(_("Stored; leave empty to keep it.")) if stored else "")

    def save(self, commit=True):
        channel = super().save(commit=False)
        credentials = dict(channel.credentials) | {"waba_id": self.cleaned_data["waba_id"].strip()}
        if self.cleaned_data.get("access_token"):
            credentials["access_token"] = self.cleaned_data["access_token"]
        channel.credentials = credentials
        if commit:
            channel.save()
        return channel
