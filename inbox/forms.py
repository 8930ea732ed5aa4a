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

    def __init__(self, *args, staffing=None, **kwargs):
        """``staffing``: user id → ``people.Staffing`` (on shift, open load), shown beside each name."""
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()
        self.fields["assignee"].label_from_instance = lambda user: staffing_label(user, (staffing or {}).get(user.pk))


def staffing_label(user, staffing) -> str:
    """ "Ana · on shift · 3/5 open" — a name for an assignee picker."""
    name = user.get_full_name() or user.username
    if staffing is None:
        return name
    shift = _("on shift") if staffing.on_shift else _("off shift")
    if staffing.capacity:
        load = _("%(open)s/%(capacity)s open") % {"open": staffing.open_count, "capacity": staffing.capacity}
    else:
        load = _("%(open)s open") % {"open": staffing.open_count}
    return f"{name} · {shift} · {load}"


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500, required=False)
    hidden = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", initial="1")


def _categories():
    # protocols.Category, by the conversation's lazy reference: inbox does not import protocols.
    from inbox.models import Conversation

    return Conversation._meta.get_field("category").related_model.objects.order_by("name")


def _tags(value: str) -> list[str]:
    return [tag.strip().lstrip("#") for tag in value.split(",") if tag.strip().lstrip("#")]


class ReclassifyForm(forms.Form):
    """Category, priority and tags of one conversation (the conversation page)."""

    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("— No category —"), to_field_name="slug"
    )
    priority = forms.TypedChoiceField(label=_("Priority"), choices=(), coerce=int)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500, help_text=_("Separated by commas"))

    def __init__(self, *args, **kwargs):
        from inbox.models import Conversation

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["priority"].choices = Conversation.Priority.choices

    def clean_tags(self) -> list[str]:
        return _tags(self.cleaned_data["tags"])


class BulkForm(forms.Form):
    """An action on the conversations ticked in the inbox list."""

    ACTIONS = ("assign", "resolve", "category", "tags")

    ids = forms.Field(
        widget=forms.MultipleHiddenInput, error_messages={"required": _("Tick some conversations first.")}
    )
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    assignee: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, required=False)
    category: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, required=False, to_field_name="slug")
    tags = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()
        self.fields["category"].queryset = _categories()

    def clean_ids(self) -> list[int]:
        try:
            ids = [int(value) for value in self.cleaned_data["ids"]]
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("Tick some conversations first.")) from exc
        if not ids:
            raise forms.ValidationError(_("Tick some conversations first."))
        return list(dict.fromkeys(ids))[:200]

    def clean(self):
        data = super().clean()
        if data.get("action") == "tags":
            data["tags"] = _tags(data.get("tags") or "")
            if not data["tags"]:
                self.add_error("tags", _("Write at least one tag."))
        return data
