"""One SLA sweep over 100,000 open conversations, on PostgreSQL.

What it does, printing as it goes:
1. creates a fresh database ``mostrador_bench_sla`` and migrates it;
2. generates N open conversations in SQL (``INSERT … SELECT generate_series``):
   deadlines spread over the next two hours, about 1% already overdue and 1%
   already at risk, a third of them assigned;
3. baseline, in this run: a sequential scan counting the open conversations
   (what a sweep without its partial indexes would at least cost);
4. times the first sweep (flags ~2,000 conversations), then the escalation
   task it queues (events, in-app alerts, e-mails queued), then a
   steady-state sweep (nothing new);
5. prints one JSON line; the target is one sweep ≤ 1 s. With the beat running
   the sweep every 20 s, a breach is flagged at most ~21 s after its due time.

Usage: ``python bench/sla_sweep.py [--conversations 100000]``.
"""

from __future__ import annotations

import argparse
import json
import time

from _django import django_on_fresh_database

TARGET_SECONDS = 1.0


def say(message: str) -> None:
    print(f"[sla_sweep] {message}", flush=True)


def generate(count: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from channels.models import Channel

    channel = Channel.objects.create(kind="fake", name="Bench", key="bench", credentials={"secret": "x"})
    supervisors = Group.objects.get_or_create(name="supervisor")[0]
    gestores = []
    for n in range(10):
        user = User.objects.create(username=f"gestor{n}", email=f"gestor{n}@example.com")
        gestores.append(user.pk)
    for n in range(3):
        User.objects.create(username=f"supervisor{n}", email=f"sup{n}@example.com").groups.add(supervisors)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO inbox_contact (channel_id, external_id, handle, display_name, profile_url, email, created_at)
            SELECT %s, 'c' || g, 'user' || g, 'User ' || g, '', '', now() FROM generate_series(1, %s) g
            """,
            [channel.pk, count],
        )
        cursor.execute(
            """
            INSERT INTO inbox_conversation (
                channel_id, contact_id, kind, thread_key, subject, snippet, parent_url, status, assignee_id,
                category_id, priority, tags, match_reason, requires_reply, first_inbound_at, last_inbound_at,
                waiting_since, first_response_due_at, sla_due_at, sla_warn_at, sla_state, created_at, updated_at)
            SELECT %(channel)s, c.id, 'public', 't' || c.id, '', 'Una queja de prueba', '', 'open',
                   CASE WHEN c.id %% 3 = 0 THEN (%(gestores)s::int[])[1 + c.id %% 10] END,
                   NULL, 2, '[]', '', true,
                   now() - interval '30 minutes', now() - interval '30 minutes', now() - interval '30 minutes',
                   due, due, due - interval '15 minutes', 'ok', now(), now()
            FROM (
                SELECT id,
                       CASE WHEN id %% 100 = 0 THEN now() - interval '1 minute'
                            ELSE now() + make_interval(secs => 16 * 60 + (id * 7919) %% 7200) END AS due
                FROM inbox_contact
            ) c
            """,
            {"channel": channel.pk, "gestores": gestores},
        )
        # About 1% already past their at-risk moment but not their deadline.
        cursor.execute("UPDATE inbox_conversation SET sla_warn_at = now() - interval '1 minute' WHERE id % 100 = 50")
        cursor.execute("ANALYZE inbox_conversation")
    say(f"{count:,} open conversations generated in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args()
    django_on_fresh_database("mostrador_bench_sla", say=say)

    from django.db import connection

    from core.models import Alert
    from protocols.escalation import conversations_escalate
    from protocols.sla import sla_sweep
    from protocols.tasks import conversations_escalate_task

    # The sweep queues escalation after commit; here it is timed on its own.
    conversations_escalate_task.delay = lambda *args, **kwargs: None

    generate(args.conversations)

    with connection.cursor() as cursor:
        cursor.execute("SET enable_indexscan = off; SET enable_bitmapscan = off")
        started = time.perf_counter()
        cursor.execute("SELECT count(*) FROM inbox_conversation WHERE status IN ('new', 'open', 'waiting')")
        open_count = cursor.fetchone()[0]
        baseline = time.perf_counter() - started
        cursor.execute("RESET enable_indexscan; RESET enable_bitmapscan")
    say(f"baseline: sequential count of {open_count:,} open conversations: {baseline * 1000:.0f} ms")

    started = time.perf_counter()
    first = sla_sweep()
    first_seconds = time.perf_counter() - started
    say(
        f"first sweep: {len(first.breached):,} overdue, {len(first.at_risk):,} at risk "
        f"flagged in {first_seconds * 1000:.0f} ms"
    )
    started = time.perf_counter()
    conversations_escalate(conversation_ids=first.breached, trigger="breached")
    conversations_escalate(conversation_ids=first.at_risk, trigger="at_risk")
    escalation_seconds = time.perf_counter() - started
    say(f"their escalation task: {Alert.objects.count():,} alerts and events in {escalation_seconds * 1000:.0f} ms")

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        sla_sweep()
        timings.append(time.perf_counter() - started)
    steady = sorted(timings)[len(timings) // 2]
    say(f"steady-state sweep (nothing new): median {steady * 1000:.1f} ms of 5")

    result = {
        "bench": "sla_sweep",
        "figures": {
            "open_conversations": open_count,
            "first_sweep_s": round(first_seconds, 3),
            "first_sweep_breached": len(first.breached),
            "first_sweep_at_risk": len(first.at_risk),
            "escalation_task_s": round(escalation_seconds, 3),
            "steady_sweep_s": round(steady, 4),
            "baseline_seq_scan_count_s": round(baseline, 4),
            "max_flag_delay_s": round(20 + first_seconds, 1),
            "max_alert_delay_s": round(20 + first_seconds + escalation_seconds, 1),
        },
        "target": {"sweep_s": TARGET_SECONDS, "flag_delay_s": 60},
        "met": first_seconds <= TARGET_SECONDS and steady <= TARGET_SECONDS,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
