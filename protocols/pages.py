"""The protocol's pages: the Community Manager edits; every other role reads."""

from __future__ import annotations

from django.contrib import messages as flash
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.pages import role_required
from protocols import forms
from protocols.crisis import crisis_close
from protocols.models import AuthorList, BusinessCalendar, CrisisAlert, EscalationRule, Rule, SlaPolicy
from protocols.services import rule_condition, rule_save, rule_try
from protocols.versions import protocol_change_record, snapshot

can_read = role_required(roles.can_view_inbox)
can_edit = role_required(roles.can_manage_protocol)


@can_read
def rule_list(request):
    rules = Rule.objects.select_related("category", "channel", "author_list").order_by("position", "id")
    return render(request, "protocols/rules.html", {"rules": rules, "tab": "rules"})


@can_edit
def rule_edit(request, pk: int | None = None):
    rule = get_object_or_404(Rule, pk=pk) if pk else Rule()
    form = forms.RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        rule = rule_save(rule=form.save(commit=False), by=request.user)
        flash.success(request, _("Rule “%(name)s” saved; it applies to the next message.") % {"name": rule.name})
        return redirect("protocols:rules")
    return render(
        request,
        "protocols/rule_edit.html",
        {"form": form, "rule": rule, "try_form": forms.RuleTryForm(), "tab": "rules"},
    )


@require_POST
@can_edit
def rule_try_view(request):
    """What the rule being edited would do: on a sample text and on the last 30 days (htmx partial)."""
    form = forms.RuleForm(request.POST)
    sample = forms.RuleTryForm(request.POST)
    form.is_valid()
    sample.is_valid()
    if any(name in form.errors for name in ("pattern", "sentiment_below", "__all__")):
        return render(request, "protocols/_rule_trial.html", {"errors": form.errors})
    rule = form.save(commit=False)
    trial = rule_try(
        condition=rule_condition(rule),
        text=sample.cleaned_data.get("text", ""),
        author=sample.cleaned_data.get("author", ""),
        is_private=sample.cleaned_data.get("private", False),
    )
    return render(request, "protocols/_rule_trial.html", {"trial": trial, "text": sample.cleaned_data.get("text", "")})


@can_read
def sla_list(request):
    return render(
        request,
        "protocols/slas.html",
        {
            "policies": SlaPolicy.objects.select_related("category", "channel", "calendar"),
            "calendars": BusinessCalendar.objects.prefetch_related("holidays"),
            "escalations": EscalationRule.objects.select_related("category"),
            "author_lists": AuthorList.objects.all(),
            "tab": "slas",
        },
    )


def protocol_edit(request, *, model, form_class, pk, title, back, back_label=None, tab="slas"):
    """Create or edit one protocol object with a plain form page; every save is a new version."""
    instance = get_object_or_404(model, pk=pk) if pk else model()
    before = snapshot(instance)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            protocol_change_record(obj=saved, by=request.user, before=before)
        flash.success(request, _("Saved."))
        return redirect(back)
    context = {"form": form, "title": title, "back": back, "back_label": back_label, "tab": tab}
    return render(request, "protocols/edit.html", context)


@can_edit
def sla_edit(request, pk: int | None = None):
    return protocol_edit(
        request, model=SlaPolicy, form_class=forms.SlaPolicyForm, pk=pk, title=_("SLA policy"), back="protocols:slas"
    )


@can_edit
def calendar_edit(request, pk: int | None = None):
    return protocol_edit(
        request,
        model=BusinessCalendar,
        form_class=forms.CalendarForm,
        pk=pk,
        title=_("Business calendar"),
        back="protocols:slas",
    )


@can_edit
def escalation_edit(request, pk: int | None = None):
    return protocol_edit(
        request,
        model=EscalationRule,
        form_class=forms.EscalationRuleForm,
        pk=pk,
        title=_("Escalation rule"),
        back="protocols:slas",
    )


@can_edit
def author_list_edit(request, pk: int | None = None):
    return protocol_edit(
        request, model=AuthorList, form_class=forms.AuthorListForm, pk=pk, title=_("Author list"), back="protocols:slas"
    )


@require_POST
@role_required(roles.can_assign)
def crisis_close_view(request, pk: int):
    crisis_close(alert=get_object_or_404(CrisisAlert, pk=pk), by=request.user)
    flash.success(request, _("Crisis alert closed."))
    return redirect(request.POST.get("next") or "inbox:list")
