"""The manual, canned replies, reply checks, versions and proposals (pages)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.pages import role_required
from inbox.models import Conversation
from protocols import forms_replies as forms
from protocols.canned import canned_render, canned_search
from protocols.checks import reply_findings
from protocols.manual import ProposalRefused, case_decide, case_propose
from protocols.models import (
    CannedReply,
    CaseProposal,
    Category,
    EscalationRule,
    ProtocolChange,
    ReplyCheck,
    Rule,
    SensitiveTopic,
    SlaPolicy,
)
from protocols.pages import can_edit, can_read, protocol_edit


@can_read
def manual(request):
    categories = Category.objects.all()
    pending = CaseProposal.objects.filter(status=CaseProposal.Status.PENDING).select_related("category", "proposed_by")
    return render(
        request,
        "protocols/manual.html",
        {
            "categories": categories,
            "pending": pending if roles.can_manage_protocol(request.user) else [],
            "mine": CaseProposal.objects.filter(proposed_by=request.user).select_related("category")[:10],
            "tab": "manual",
        },
    )


@can_read
def manual_category(request, slug: str):
    category = get_object_or_404(Category, slug=slug)
    return render(
        request,
        "protocols/manual_category.html",
        {
            "category": category,
            "rules": Rule.objects.filter(category=category, active=True).order_by("position"),
            "policies": SlaPolicy.objects.filter(category=category, active=True).select_related("calendar", "channel"),
            "escalations": EscalationRule.objects.filter(active=True).filter(
                Q(category=category) | Q(category__isnull=True)
            ),
            "canned": CannedReply.objects.filter(category=category, active=True),
            "examples": [e.strip() for e in category.examples.split("\n\n") if e.strip()],
            "tab": "manual",
        },
    )


@can_edit
def category_edit(request, slug: str):
    category = get_object_or_404(Category, slug=slug)
    return protocol_edit(
        request,
        model=Category,
        form_class=forms.CategoryForm,
        pk=category.pk,
        title=category.name,
        back="protocols:manual",
        back_label=_("Manual"),
        tab="manual",
    )


@can_read
def canned_list(request):
    return render(
        request,
        "protocols/canned.html",
        {
            "canned": CannedReply.objects.select_related("category"),
            "checks": ReplyCheck.objects.all(),
            "topics": SensitiveTopic.objects.all(),
            "tab": "replies",
        },
    )


def _replies_edit(model, form_class, title):
    @can_edit
    def view(request, pk: int | None = None):
        return protocol_edit(
            request,
            model=model,
            form_class=form_class,
            pk=pk,
            title=title(),
            back="protocols:canned",
            back_label=_("Replies and checks"),
            tab="replies",
        )

    return view


canned_edit = _replies_edit(CannedReply, forms.CannedReplyForm, lambda: _("Canned reply"))
check_edit = _replies_edit(ReplyCheck, forms.ReplyCheckForm, lambda: _("Reply check"))
topic_edit = _replies_edit(SensitiveTopic, forms.SensitiveTopicForm, lambda: _("Sensitive topic"))


@can_read
def history(request):
    changes = ProtocolChange.objects.select_related("author")
    model = request.GET.get("model", "")
    if model:
        changes = changes.filter(model=model, object_id=request.GET.get("id") or 0)
    return render(request, "protocols/history.html", {"changes": changes[:100], "tab": "history"})


# --- From the reply box


@role_required(roles.can_reply)
def canned_for_conversation(request, pk: int):
    """Canned replies for the reply box, rendered for this conversation (htmx partial)."""
    conversation = get_object_or_404(Conversation.objects.select_related("contact", "channel"), pk=pk)
    found = canned_search(q=request.GET.get("q", ""), category_id=conversation.category_id)
    rows = [(canned, canned_render(canned=canned, conversation=conversation, gestor=request.user)) for canned in found]
    return render(request, "protocols/_canned_results.html", {"rows": rows})


@require_POST
@role_required(roles.can_reply)
def checks_for_text(request):
    """What the checks say about the reply being written (htmx partial)."""
    return render(request, "protocols/_findings.html", {"findings": reply_findings(request.POST.get("body", ""))})


@role_required(roles.can_reply)
def propose(request, pk: int):
    conversation = get_object_or_404(Conversation.objects.select_related("category"), pk=pk)
    first = conversation.messages.filter(direction="in").order_by("created_at").first()
    initial = {"category": conversation.category_id, "text": first.body if first else ""}
    form = forms.CaseProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case_propose(
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
                by=request.user,
                conversation=conversation,
            )
        except ProposalRefused as refused:
            form.add_error("text", str(refused))
        else:
            flash.success(request, _("Thanks: the Community Manager will review your case."))
            return redirect("inbox:detail", pk=pk)
    return render(request, "protocols/propose.html", {"form": form, "conversation": conversation})


@require_POST
@can_edit
def decide(request, pk: int):
    proposal = get_object_or_404(CaseProposal, pk=pk)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            case_decide(
                proposal=proposal,
                accept=form.cleaned_data["accept"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            flash.success(request, _("Decision saved."))
        except ProposalRefused as refused:
            flash.error(request, str(refused))
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("protocols:manual")
