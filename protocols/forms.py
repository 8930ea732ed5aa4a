"""Forms of the Community Manager's protocol pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from protocols.business_time import parse_hours
from protocols.models import AuthorList, BusinessCalendar, EscalationRule, Holiday, Rule, SlaPolicy

WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


class RuleForm(forms.ModelForm):
    tags_text = forms.CharField(
        label=_("Add tags"), required=False, help_text=_("Separated by commas."), max_length=300
    )

    class Meta:
        model = Rule
        fields = Rule.EDITABLE
        widgets = {"keywords": forms.Textarea(attrs={"rows": 5})}

    requires_reply = forms.NullBooleanField(label=_("Requires a reply"), required=False, widget=forms.NullBooleanSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags_text"].initial = ", ".join(self.instance.tags or [])
        self.fields["requires_reply"].widget.choices = [
            ("unknown", _("As the category says")),
            ("true", _("Yes")),
            ("false", _("No")),
        ]

    def clean(self):
        data = super().clean()
        conditions = [data.get("keywords"), data.get("pattern"), data.get("author_list"), data.get("sentiment_below")]
        if not any(c not in (None, "") for c in conditions) and not data.get("channel"):
            raise forms.ValidationError(_("Give the rule at least one condition: it would match nothing."))
        return data

    def save(self, commit=True):
        rule = super().save(commit=False)
        rule.tags = sorted({t.strip() for t in self.cleaned_data.get("tags_text", "").split(",") if t.strip()})
        if commit:
            rule.save()
        return rule


class RuleTryForm(forms.Form):
    text = forms.CharField(label=_("Try it on a text"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    author = forms.CharField(label=_("Written by (handle)"), required=False, max_length=120)
    private = forms.BooleanField(label=_("Private message"), required=False)


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "category",
            "channel",
            "calendar",
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
            "at_risk_percent",
            "active",
        ]

    def clean(self):
        data = super().clean()
        if data.get("active"):
            clash = SlaPolicy.objects.filter(active=True, category=data.get("category"), channel=data.get("channel"))
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("Another active policy already covers this category and channel."))
        return data


class CalendarForm(forms.ModelForm):
    """Opening hours as one text field per weekday ("09:00-14:00, 16:00-19:00"), holidays one per line."""

    holidays_text = forms.CharField(
        label=_("Holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line: YYYY-MM-DD and a name."),
    )

    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "always_open"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index, label in enumerate(WEEKDAYS):
            intervals = (self.instance.hours or {}).get(str(index), [])
            self.fields[f"day_{index}"] = forms.CharField(
                label=label,
                required=False,
                initial=", ".join(f"{start}-{end}" for start, end in intervals),
                help_text=_("e.g. 09:00-14:00, 16:00-19:00; empty: closed") if index == 0 else "",
            )
        if self.instance.pk:
            self.fields["holidays_text"].initial = "\n".join(
                f"{h.date:%Y-%m-%d} {h.name}".strip() for h in self.instance.holidays.all()
            )

    def clean(self):
        data = super().clean()
        hours = {}
        for index in range(7):
            text = (data.get(f"day_{index}") or "").strip()
            if text:
                try:
                    hours[str(index)] = [[p.strip() for p in part.split("-")] for part in text.split(",")]
                except ValueError:
                    self.add_error(f"day_{index}", _("Write intervals as 09:00-14:00."))
        try:
            parse_hours(hours)
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError(_("Opening hours: %(error)s") % {"error": exc}) from exc
        if not data.get("always_open") and not hours:
            raise forms.ValidationError(_("A calendar that is not 24/7 needs opening hours."))
        data["hours"] = hours
        holidays = []
        for number, line in enumerate((data.get("holidays_text") or "").splitlines(), start=1):
            if not line.strip():
                continue
            day, _sep, name = line.strip().partition(" ")
            try:
                holidays.append((forms.DateField().clean(day), name.strip()))
            except forms.ValidationError:
                self.add_error("holidays_text", _("Line %(n)s: not a date.") % {"n": number})
        data["holidays"] = holidays
        return data

    def save(self, commit=True):
        calendar = super().save(commit=False)
        calendar.hours = self.cleaned_data["hours"]
        calendar.save()
        calendar.holidays.all().delete()
        Holiday.objects.bulk_create(
            [
                Holiday(calendar=calendar, date=day, name=name)
                for day, name in dict(self.cleaned_data["holidays"]).items()
            ]
        )
        return calendar


class EscalationRuleForm(forms.ModelForm):
    class Meta:
        model = EscalationRule
        fields = ["trigger", "target", "category", "by_email", "active"]


class AuthorListForm(forms.ModelForm):
    class Meta:
        model = AuthorList
        fields = ["name", "kind", "handles"]
        widgets = {"handles": forms.Textarea(attrs={"rows": 8})}
