"""The OAuth 2.0 part of a Google channel's set-up form: client id, and the
client secret and refresh token, both write-only."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

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
