"""Celery tasks of the protocol: thin wrappers that call services."""

from celery import shared_task

from protocols.sla import sla_sweep


@shared_task
def sla_sweep_task() -> dict:
    result = sla_sweep()
    return {"at_risk": len(result.at_risk), "breached": len(result.breached)}
