"""Forms of the team and rota pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from teams.models import Absence, ExtraShift, Member, PublicHoliday, Shift, Team


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "time_zone", "channels", "members", "strategy"]
        widgets = {"channels": forms.CheckboxSelectMultiple, "members": forms.CheckboxSelectMultiple}


class MemberForm(forms.ModelForm):
    languages_text = forms.CharField(label=_("Languages"), required=False, help_text=_("e.g. es, en, ca"))

    class Meta:
        model = Member
        fields = ["capacity", "away"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages_text"].initial = ", ".join(self.instance.languages or [])

    def save(self, commit=True):
        member = super().save(commit=False)
        member.languages = [
            code.strip().lower() for code in self.cleaned_data["languages_text"].split(",") if code.strip()
        ]
        if commit:
            member.save()
        return member


class _TeamMemberForm(forms.ModelForm):
    """A rota row for one of the team's members."""

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["member"].queryset = team.members.select_related("user")  # type: ignore[attr-defined]

    def save(self, commit=True):
        row = super().save(commit=False)
        if hasattr(row, "team_id"):
            row.team = self.team
        if commit:
            row.save()
        return row


class ShiftForm(_TeamMemberForm):
    class Meta:
        model = Shift
        fields = ["member", "weekday", "starts", "ends"]
        widgets = {"starts": forms.TimeInput(attrs={"type": "time"}), "ends": forms.TimeInput(attrs={"type": "time"})}
        help_texts = {"ends": _("At or before the start: the shift ends the next day.")}

    def clean(self):
        data = super().clean()
        if data.get("starts") is not None and data.get("starts") == data.get("ends"):
            raise forms.ValidationError(_("A shift cannot last 24 hours; split it in two."))
        return data


class ExtraShiftForm(_TeamMemberForm):
    class Meta:
        model = ExtraShift
        fields = ["member", "starts_at", "ends_at"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise forms.ValidationError(_("It must end after it starts."))
        return data


class AbsenceForm(_TeamMemberForm):
    class Meta:
        model = Absence
        fields = ["member", "kind", "first_day", "last_day", "note"]
        widgets = {
            "first_day": forms.DateInput(attrs={"type": "date"}),
            "last_day": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            raise forms.ValidationError(_("The last day is before the first."))
        return data


class PublicHolidayForm(forms.ModelForm):
    class Meta:
        model = PublicHoliday
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
