"""The protocol's models, one module per concern."""

from protocols.models.category import Category
from protocols.models.crisis import CrisisAlert, CrisisMention, CrisisScan
from protocols.models.escalation import EscalationRule
from protocols.models.replies import CannedReply, CaseProposal, ProtocolChange, ReplyCheck, SensitiveTopic
from protocols.models.rule import AuthorList, Rule
from protocols.models.sla import BusinessCalendar, Holiday, SlaOutcome, SlaPolicy

__all__ = [
    "AuthorList",
    "BusinessCalendar",
    "CannedReply",
    "CaseProposal",
    "Category",
    "CrisisAlert",
    "CrisisMention",
    "CrisisScan",
    "EscalationRule",
    "Holiday",
    "ProtocolChange",
    "ReplyCheck",
    "Rule",
    "SensitiveTopic",
    "SlaOutcome",
    "SlaPolicy",
]
