"""The CM's set-up form of an e-mail inbox: IMAP to read, SMTP to answer; passwords write-only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.models import Channel

SECURITY = [("ssl", _("TLS (implicit)")), ("starttls", "STARTTLS"), ("none", _("None (local servers only)"))]
SETTINGS = ("imap_host", "imap_port", "imap_security", "imap_username", "folder")
SMTP_SETTINGS = ("smtp_host", "smtp_port", "smtp_security", "smtp_username", "from_name")
SECRETS = ("imap_password", "smtp_password")


def _password(label):
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class EmailChannelForm(forms.ModelForm):
    imap_host = forms.CharField(label=_("IMAP server"), max_length=255)
    imap_port = forms.IntegerField(label=_("IMAP port"), min_value=1, max_value=65535, initial=993)
    imap_security = forms.ChoiceField(label=_("IMAP security"), choices=SECURITY, initial="ssl")
    imap_username = forms.CharField(label=_("IMAP user"), max_length=255)
    imap_password = _password(_("IMAP password"))
    folder = forms.CharField(label=_("Folder"), max_length=255, initial="INBOX")
    smtp_host = forms.CharField(label=_("SMTP server"), max_length=255)
    smtp_port = forms.IntegerField(label=_("SMTP port"), min_value=1, max_value=65535, initial=587)
    smtp_security = forms.ChoiceField(label=_("SMTP security"), choices=SECURITY, initial="starttls")
    smtp_username = forms.CharField(label=_("SMTP user"), max_length=255, required=False)
    smtp_password = _password(_("SMTP password"))
    from_name = forms.CharField(label=_("Sender name"), max_length=120, required=False)

    class Meta:
        model = Channel
        fields = ["name", "key", "external_account_id", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        address = self.fields["external_account_id"]
        address.required = True
        address.label = _("Mailbox address")
        address.help_text = _("Replies are sent from this address.")
        stored = self.instance.credentials or {}
        for name in (*SETTINGS, *SMTP_SETTINGS):
            if name in stored:
                self.fields[name].initial = stored[name]
        for name in SECRETS:
            kept = bool(stored.get(name))
            self.fields[name].required = name == "imap_password" and not kept
            if kept:
                self.fields[name].help_text = _("Stored; leave empty to keep it.")

    def clean_external_account_id(self):
        address = self.cleaned_data["external_account_id"].strip().lower()
        forms.EmailField().clean(address)
        return address

    def save(self, commit=True):
        channel = super().save(commit=False)
        credentials = dict(channel.credentials) | {
            name: self.cleaned_data[name] for name in (*SETTINGS, *SMTP_SETTINGS)
        }
        credentials["from_address"] = channel.external_account_id
        for name in SECRETS:
            if self.cleaned_data.get(name):
                credentials[name] = self.cleaned_data[name]
        channel.credentials = credentials
        if commit:
            channel.save()
        return channel
