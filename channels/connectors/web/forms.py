"""The CM's set-up form of a website channel."""

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
