"""Forms of the canned replies, reply checks, sensitive topics and the manual."""

from django import forms
from django.utils.translation import gettext_lazy as _

from protocols.models import CannedReply, CaseProposal, Category, ReplyCheck, SensitiveTopic


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "slug", "category", "body", "active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}


class ReplyCheckForm(forms.ModelForm):
    class Meta:
        model = ReplyCheck
        fields = ["mode", "words"]
        widgets = {"words": forms.Textarea(attrs={"rows": 4})}


class SensitiveTopicForm(forms.ModelForm):
    class Meta:
        model = SensitiveTopic
        fields = ["name", "words", "active"]
        widgets = {"words": forms.Textarea(attrs={"rows": 8})}


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "colour", "priority", "requires_reply", "handling", "examples"]
        widgets = {
            "colour": forms.TextInput(attrs={"type": "color"}),
            "handling": forms.Textarea(attrs={"rows": 8}),
            "examples": forms.Textarea(attrs={"rows": 8}),
        }


class CaseProposalForm(forms.ModelForm):
    class Meta:
        model = CaseProposal
        fields = ["category", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(choices=[("1", _("Accept")), ("0", _("Reject"))], coerce=lambda v: v == "1")
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
