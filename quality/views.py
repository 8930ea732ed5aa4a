"""Quality review pages: the queue and the review form (supervisors, the CM), a
person's own reviews (acknowledged there), the rubric and sample size (the CM)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.forms import modelformset_factory
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.pages import role_required
from quality.forms import CriterionForm, NewCriterionForm, ReviewForm, SettingsForm
from quality.models import Criterion, QualitySettings, Review, ReviewItem
from quality.selectors import queue_pending, reviews_visible
from quality.services import ReviewRefused, criterion_add, review_acknowledge, review_create, rubric

QUEUE_SHOWN = 100


@role_required(roles.can_assign)
def queue(request):
    items = queue_pending()
    gestor = request.GET.get("gestor", "")
    if gestor.isdigit():
        items = items.filter(gestor_id=int(gestor))
    return render(
        request,
        "quality/queue.html",
        {
            "items": items[:QUEUE_SHOWN],
            "pending": items.count(),
            "done": reviews_visible(user=request.user)[:20],
            "tab": "queue",
        },
    )


@role_required(roles.can_assign)
def review(request, pk: int):
    item = get_object_or_404(
        ReviewItem.objects.select_related("message", "conversation__channel", "conversation__contact", "gestor"), pk=pk
    )
    if item.status == ReviewItem.Status.REVIEWED:
        flash.info(request, _("This reply was reviewed already."))
        return redirect("quality:queue")
    criteria = rubric()
    form = ReviewForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            review_create(
                item=item,
                by=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                case_category=form.cleaned_data["case_category"],
                case_text=form.cleaned_data["case_text"],
            )
        except ReviewRefused as refused:
            form.add_error(None, str(refused))
        else:
            flash.success(request, _("Review saved: the gestor will see it."))
            return redirect("quality:queue")
    thread = item.conversation.messages.filter(created_at__lte=item.message.created_at).order_by("-created_at", "-pk")
    return render(
        request,
        "quality/review.html",
        {"item": item, "form": form, "thread": list(reversed(thread[:6])), "tab": "queue"},
    )


@role_required(roles.can_view_inbox)
def mine(request):
    reviews = Review.objects.filter(gestor=request.user).select_related(
        "reviewer", "item__message", "item__conversation", "proposal"
    )
    return render(request, "quality/mine.html", {"reviews": reviews[:50]})


@require_POST
@role_required(roles.can_view_inbox)
def acknowledge(request, pk: int):
    review = get_object_or_404(Review, pk=pk)
    try:
        review_acknowledge(review=review, by=request.user)
    except PermissionError as refused:
        raise PermissionDenied from refused
    flash.success(request, _("Review acknowledged."))
    return redirect("quality:mine")


@role_required(roles.can_manage_protocol)
def rubric_edit(request):
    rubric()  # the defaults, if the rubric was never set
    Formset = modelformset_factory(Criterion, form=CriterionForm, extra=0)
    current = QualitySettings.current()
    settings_form = SettingsForm(request.POST or None, instance=current, prefix="settings")
    formset = Formset(request.POST or None, queryset=Criterion.objects.all(), prefix="criteria")
    new = NewCriterionForm(request.POST or None, prefix="new")
    if request.method == "POST" and settings_form.is_valid() and formset.is_valid() and new.is_valid():
        settings_form.save()
        formset.save()
        if new.cleaned_data["label"].strip():
            criterion_add(label=new.cleaned_data["label"])
        flash.success(request, _("Rubric saved."))
        return redirect("quality:rubric")
    return render(
        request,
        "quality/rubric.html",
        {"settings_form": settings_form, "formset": formset, "new": new, "tab": "rubric"},
    )
