"""The CM's set-up form of a YouTube channel (comments)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.connectors.google.forms import GoogleOAuthFormMixin
from channels.models import Channel

CHANNEL_ID = re.compile(r"^UC[\w-]{10,40}$")


class YouTubeChannelForm(GoogleOAuthFormMixin, forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["name", "key", "external_account_id", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        channel = self.fields["external_account_id"]
        channel.required = True
        channel.label = _("YouTube channel id")
        channel.help_text = _("Starts with UC; the refresh token must belong to this channel's owner.")
        self.oauth_init(scope="https://www.googleapis.com/auth/youtube.force-ssl")

    def clean_external_account_id(self):
        channel_id = self.cleaned_data["external_account_id"].strip()
        if not CHANNEL_ID.match(channel_id):
            raise forms.ValidationError(_("A YouTube channel id starts with UC (youtube.com/channel/UC…)."))
        return channel_id

    def save(self, commit=True):
        channel = super().save(commit=False)
        channel.credentials = self.oauth_credentials(channel.credentials)
        if commit:
            channel.save()
        return channel
