"""The CM's set-up form of a Facebook Page or an Instagram account."""

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.models import Channel


class MetaChannelForm(forms.ModelForm):
    """A Facebook Page or an Instagram account: its id and access token (write-only)."""

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
        facebook = self.instance.kind == "facebook"
        self.fields["external_account_id"].required = True
        self.fields["external_account_id"].label = _("Page id") if facebook else _("Instagram account id")
        stored = bool((self.instance.credentials or {}).get("access_token"))
        self.fields["access_token"].required = not stored
        self.fields["access_token"].help_text = (
            _("Page access token with pages_messaging and pages_manage_engagement.")
            if facebook
            else _("Token with instagram_manage_comments and instagram_manage_messages.")
        ) + (" " + str(_("Stored; leave empty to keep it.")) if stored else "")

    def save(self, commit=True):
        channel = super().save(commit=False)
        if self.cleaned_data.get("access_token"):
            channel.credentials = dict(channel.credentials) | {"access_token": self.cleaned_data["access_token"]}
        if commit:
            channel.save()
        return channel
