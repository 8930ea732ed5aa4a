"""A Google channel's set-up form: the account it reads (a Business Profile
location, a YouTube channel) and the OAuth 2.0 client id, client secret and
refresh token, the last two write-only."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.models import Channel

SECRETS = ("client_secret", "refresh_token")


def _secret(label):
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class GoogleOAuthFormMixin(forms.Form):
    instance: Any  # the ModelForm's channel
    client_id = forms.CharField(label=_("OAuth client id"), max_length=255)
    client_secret = _secret(_("OAuth client secret"))
    refresh_token = _secret(_("OAuth refresh token"))

    def oauth_init(self, *, scope: str) -> None:
        stored = self.instance.credentials or {}
        self.fields["refresh_token"].help_text = _("Granted with the %(scope)s scope.") % {"scope": scope}
        self.fields["client_id"].initial = stored.get("client_id", "")
        for name in SECRETS:
            kept = bool(stored.get(name))
            self.fields[name].required = not kept
            if kept:
                kept_text = str(_("Stored; leave empty to keep it."))
                self.fields[name].help_text = " ".join(filter(None, [str(self.fields[name].help_text), kept_text]))

    def oauth_credentials(self, credentials: dict) -> dict:
        credentials = dict(credentials) | {"client_id": self.cleaned_data["client_id"].strip()}
        for name in SECRETS:
            if self.cleaned_data.get(name):
                credentials[name] = self.cleaned_data[name].strip()
        return credentials


class GoogleChannelForm(GoogleOAuthFormMixin, forms.ModelForm):
    """Each Google network names its account, the pattern it follows and the scope its token needs."""

    scope = ""
    account_label: Any = ""
    account_help: Any = ""
    account_pattern = re.compile(".+")
    account_error: Any = ""

    class Meta:
        model = Channel
        fields = ["name", "key", "external_account_id", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        account = self.fields["external_account_id"]
        account.required = True
        account.label = self.account_label
        account.help_text = self.account_help
        self.oauth_init(scope=self.scope)

    def account_normalize(self, value: str) -> str:
        return value.strip()

    def clean_external_account_id(self):
        account = self.account_normalize(self.cleaned_data["external_account_id"])
        if not self.account_pattern.match(account):
            raise forms.ValidationError(self.account_error)
        return account

    def save(self, commit=True):
        channel = super().save(commit=False)
        channel.credentials = self.oauth_credentials(channel.credentials)
        if commit:
            channel.save()
        return channel
