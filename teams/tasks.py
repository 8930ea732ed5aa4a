"""Celery tasks of the teams: thin wrappers that call services."""

from celery import shared_task

from teams.services.assignment import conversations_assign, rota_tick
from teams.services.coverage import rota_gaps_warn


@shared_task
def conversations_assign_task(conversation_ids: list[int]) -> int:
    return len(conversations_assign(conversation_ids=conversation_ids).assigned)


@shared_task
def rota_tick_task() -> dict:
    """Every minute: hand over what is left with people whose shift ended, then
    give the queue to whoever started one."""
    return rota_tick()


@shared_task
def rota_gaps_warn_task() -> int:
    return rota_gaps_warn()
