"""Celery tasks of the protocol: thin wrappers that call services."""

from celery import shared_task

from protocols.escalation import sla_escalations_settle
from protocols.sla import sla_sweep


@shared_task
def sla_sweep_task() -> dict:
    result = sla_sweep()
    return {"at_risk": len(result.at_risk), "breached": len(result.breached)}


@shared_task
def sla_escalations_settle_task() -> int:
    return sla_escalations_settle()


@shared_task
def crisis_detect_task() -> int:
    from protocols.crisis import crisis_detect

    return len(crisis_detect())
