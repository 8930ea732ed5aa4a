"""Every task has its queue, and a worker without -Q serves them all."""

from celery import current_app
from django.conf import settings

import config.celery_app  # noqa: F401 - the app and its tasks


def test_every_task_of_ours_is_routed_to_a_queue_a_worker_consumes():
    from importlib import import_module

    for app in ("core", "channels", "inbox", "protocols", "teams", "quality", "listening", "reports"):
        import_module(f"{app}.tasks")
    ours = {
        name
        for name in current_app.tasks
        if name.split(".")[0] in {"core", "channels", "inbox", "protocols", "teams", "quality", "listening", "reports"}
    }
    routes = settings.CELERY_TASK_ROUTES
    assert ours - set(routes) == set(), "route every task to a queue in CELERY_TASK_ROUTES"
    queues = {q.name for q in settings.CELERY_TASK_QUEUES}
    assert {r["queue"] for r in routes.values()} <= queues
    assert routes["inbox.tasks.inbound_events_drain_task"]["queue"] == "ingest"
    assert routes["protocols.tasks.sla_sweep_task"]["queue"] != "ingest"


def test_the_beat_schedules_only_routed_tasks():
    routes = settings.CELERY_TASK_ROUTES
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in routes, entry["task"]
