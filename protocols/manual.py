"""The manual: gestores propose new cases from real conversations; the CM decides."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.alerts import alerts_create
from core.models import Alert
from protocols.models import CaseProposal, Category
from protocols.versions import protocol_change_record, snapshot


class ProposalRefused(Exception):
    pass


def case_propose(*, category: Category, text: str, by, conversation=None) -> CaseProposal:
    text = text.strip()
    if not text:
        raise ProposalRefused(_("Describe the case first."))
    return CaseProposal.objects.create(category=category, text=text, proposed_by=by, conversation=conversation)


@transaction.atomic
def case_decide(*, proposal: CaseProposal, accept: bool, by, reason: str = "") -> CaseProposal:
    """Accept (the case joins the category's examples, as a new version) or reject it; the proposer is told."""
    proposal = CaseProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != CaseProposal.Status.PENDING:
        raise ProposalRefused(_("This proposal was already decided."))
    if accept:
        category = Category.objects.select_for_update().get(pk=proposal.category_id)
        before = snapshot(category)
        category.examples = f"{category.examples.rstrip()}\n\n{proposal.text}".strip()
        category.save(update_fields=["examples"])
        protocol_change_record(obj=category, by=by, before=before)
    proposal.status = CaseProposal.Status.ACCEPTED if accept else CaseProposal.Status.REJECTED
    proposal.decided_by, proposal.decided_at, proposal.reason = by, timezone.now(), reason.strip()[:300]
    proposal.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    text = (
        _("Your case for %(category)s was added to the manual.")
        if accept
        else _("Your case for %(category)s was not added: %(reason)s")
    ) % {"category": proposal.category.name, "reason": proposal.reason or "—"}
    alerts_create(
        alerts=[
            Alert(
                recipient=proposal.proposed_by,
                kind=Alert.Kind.CASE,
                conversation=proposal.conversation,
                text=text[:300],
            )
        ]
    )
    return proposal
