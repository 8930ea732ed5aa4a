"""The CM's set-up form of an X account."""

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.models import Channel


class XChannelForm(forms.ModelForm):
    """An X account: its user id and API credentials, write-only (empty keeps the stored value)."""

    SECRETS = [
        ("bearer_token", _("Bearer token"), _("App-only token for reading mentions and searching.")),
        ("consumer_key", _("API key (consumer key)"), ""),
        ("consumer_secret", _("API key secret (consumer secret)"), ""),
        ("access_token", _("Access token"), _("User context: replying and direct messages.")),
        ("access_token_secret", _("Access token secret"), ""),
    ]

    class Meta:
        model = Channel
        fields = ["name", "key", "external_account_id", "active"]
        labels = {"external_account_id": _("X user id of the account")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["external_account_id"].required = True
        stored = self.instance.credentials or {}
        for name, label, help_text in self.SECRETS:
            kept = _("Stored; leave empty to keep it.") if stored.get(name) else _("Not set.")
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                help_text=f"{help_text} {kept}".strip(),
            )

    def save(self, commit=True):
        channel = super().save(commit=False)
        channel.kind = "x"
        credentials = dict(channel.credentials)
        for name, _label, _help in self.SECRETS:
            if self.cleaned_data.get(name):
                credentials[name] = self.cleaned_data[name]
        channel.credentials = credentials
        if commit:
            channel.save()
        return channel
