from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from inbox.services.conversations import assignable_users


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("Write a public reply…")}),
        max_length=20_000,
    )
    private = forms.BooleanField(required=False)
    # An image sent with the reply, where the network allows it (checked by type and size;
    # Pillow is not installed, so the picture itself is the network's to judge).
    image = forms.FileField(label=_("Image"), required=False)
    # The newest message the writer saw (set by the page); someone's reply since is a conflict.
    after = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1, widget=forms.HiddenInput)
    # Sent anyway, after the page showed the conflicting reply.
    force = forms.BooleanField(required=False)

    IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if not image:
            return None
        if (image.content_type or "").lower() not in self.IMAGE_TYPES:
            raise forms.ValidationError(_("Attach a JPEG, PNG, GIF or WebP image."))
        if image.size > settings.MOSTRADOR_REPLY_IMAGE_MAX_BYTES:
            raise forms.ValidationError(
                _("The image is too large: up to %(mb)s MB.")
                % {"mb": settings.MOSTRADOR_REPLY_IMAGE_MAX_BYTES // 2**20}
            )
        head = image.read(12)
        image.seek(0)
        if not (head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8")) or head[8:12] == b"WEBP"):
            raise forms.ValidationError(_("Attach a JPEG, PNG, GIF or WebP image."))
        return image


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Only your team sees notes.")}),
        max_length=20_000,
        error_messages={"required": _("Write the note first.")},
    )


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Assign to"), queryset=None, required=False, empty_label=_("— Unassigned —")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.username


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500, required=False)
    hidden = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", initial="1")
