from django import forms
from django.utils.translation import gettext_lazy as _

from channels.models import Channel


class WebChannelForm(forms.ModelForm):
    """A website channel. The secret is write-only: empty keeps the current one."""

    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Shared with the website to sign its deliveries (HMAC-SHA256). Leave empty to keep it."),
    )
    from_email = forms.EmailField(
        label=_("Replies sent from"), required=False, help_text=_("Sender address of e-mail replies.")
    )

    class Meta:
        model = Channel
        fields = ["name", "key", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_email"].initial = self.instance.credentials.get("from_email", "")
        if not self.instance.pk:
            self.fields["secret"].required = True
            self.fields["secret"].help_text = _("Shared with the website to sign its deliveries (HMAC-SHA256).")

    def save(self, commit=True):
        channel = super().save(commit=False)
        channel.kind = "web"
        credentials = dict(channel.credentials)
        if self.cleaned_data.get("secret"):
            credentials["secret"] = self.cleaned_data["secret"]
        credentials["from_email"] = self.cleaned_data.get("from_email", "")
        channel.credentials = credentials
        if commit:
            channel.save()
        return channel


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
