"""The teams' part in a conversation's lifecycle (``inbox.lifecycle``),
registered in ``TeamsConfig.ready()``."""

from __future__ import annotations

from django.db import transaction

from core.queue import dispatch
from inbox.lifecycle import Intake, Step, register


def on_classified(*, intake: Intake) -> None:
    """What nobody holds goes to whoever is on shift, once committed. If the
    broker is down, the rota's minute tick assigns it (``team_queue_drain``)."""
    ids = [c.pk for c in intake.conversations if c.assignee_id is None]
    if ids:
        from teams.tasks import conversations_assign_task

        transaction.on_commit(lambda: dispatch(conversations_assign_task, args=(ids,)))


def register_hooks() -> None:
    register(Step.CLASSIFIED, on_classified)
