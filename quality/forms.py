from django import forms
from django.utils.translation import gettext_lazy as _

from protocols.models import Category
from quality.models import Criterion, QualitySettings

SCORE_CHOICES = [(2, _("Yes")), (1, _("Partly")), (0, _("No"))]


class ReviewForm(forms.Form):
    """One radio group per active criterion, a comment, and an optional new case for the manual."""

    comment = forms.CharField(
        label=_("Comment for the gestor"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    case_category = forms.ModelChoiceField(
        label=_("New case for the manual: category"), queryset=Category.objects.all(), required=False
    )
    case_text = forms.CharField(
        label=_("New case: what happened and how to handle it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty unless this reply should enrich the manual; the Community Manager decides."),
    )

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.key}"] = forms.TypedChoiceField(
                label=criterion.name, choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
            )
        self.order_fields([f"score_{c.key}" for c in criteria] + ["comment", "case_category", "case_text"])

    def scores(self) -> dict[str, int]:
        return {c.key: self.cleaned_data[f"score_{c.key}"] for c in self.criteria}

    def score_fields(self):
        return [self[f"score_{c.key}"] for c in self.criteria]

    def clean(self):
        data = super().clean()
        if (data.get("case_text") or "").strip() and not data.get("case_category"):
            self.add_error("case_category", _("Choose the category of the new case."))
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = QualitySettings
        fields = ["sample_size"]


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["label", "position", "active"]


class NewCriterionForm(forms.Form):
    label = forms.CharField(label=_("New criterion"), max_length=120, required=False)
