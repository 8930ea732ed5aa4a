"""The CM's set-up form of a Google Business Profile location (reviews)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.connectors.google.forms import GoogleOAuthFormMixin
from channels.models import Channel

LOCATION = re.compile(r"^accounts/[^/\s]+/locations/[^/\s]+$")


class GoogleReviewsChannelForm(GoogleOAuthFormMixin, forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["name", "key", "external_account_id", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        location = self.fields["external_account_id"]
        location.required = True
        location.label = _("Location")
        location.help_text = _("As the Business Profile API names it: accounts/{account id}/locations/{location id}.")
        self.oauth_init(scope="https://www.googleapis.com/auth/business.manage")

    def clean_external_account_id(self):
        location = self.cleaned_data["external_account_id"].strip().strip("/")
        if not LOCATION.match(location):
            raise forms.ValidationError(_("Write it as accounts/{account id}/locations/{location id}."))
        return location

    def save(self, commit=True):
        channel = super().save(commit=False)
        channel.credentials = self.oauth_credentials(channel.credentials)
        if commit:
            channel.save()
        return channel
