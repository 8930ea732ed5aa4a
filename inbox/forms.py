from django import forms
from django.utils.translation import gettext_lazy as _

from inbox.services.conversations import assignable_users


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("Write a public reply…")}),
        max_length=20_000,
    )
    private = forms.BooleanField(required=False)


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
