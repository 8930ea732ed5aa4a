"""Assignment of 10,000 new conversations over 50 gestores on shift, on PostgreSQL.

What it does, printing as it goes:
1. creates a fresh database ``mostrador_bench_assign`` and migrates it;
2. one team on one channel, 50 gestores on shift around the clock (least-open,
   capacity 1,000), N new conversations generated in SQL;
3. baseline, in this run: one set-based UPDATE that deals the same conversations
   out round-robin (what assignment costs with no rota, capacity or history);
4. assigns them through the real service in batches of 200, as ingest does
   (locks, on-shift lookup, capacity, events, in-app alerts), and measures
   conversations per second and the spread of open load (max − min);
5. prints one JSON line; targets: ≥ 500 conversations/s, spread ≤ 1.

Usage: ``python bench/assign.py [--conversations 10000] [--gestores 50]``.
"""

from __future__ import annotations

import argparse
import json
import time

from _django import django_on_fresh_database

TARGET_PER_SECOND = 500
TARGET_SPREAD = 1


def say(message: str) -> None:
    print(f"[assign] {message}", flush=True)


def generate(count: int, gestores: int):
    from datetime import time as clock

    from django.contrib.auth.models import User
    from django.db import connection

    from channels.models import Channel
    from teams.models import Member, Shift, Team

    channel = Channel.objects.create(kind="fake", name="Bench", key="bench", credentials={"secret": "x"})
    team = Team.objects.create(name="Bench", strategy=Team.Strategy.LEAST_OPEN)
    team.channels.add(channel)
    users = User.objects.bulk_create(User(username=f"gestor{n}") for n in range(gestores))
    members = Member.objects.bulk_create(Member(user=user, capacity=1000) for user in users)
    team.members.add(*members)
    # Around the clock: 00:00–12:00 and 12:00–00:00 every day.
    Shift.objects.bulk_create(
        Shift(team=team, member=m, weekday=d, starts=clock(h), ends=clock((h + 12) % 24))
        for m in members
        for d in range(7)
        for h in (0, 12)
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO inbox_contact (channel_id, external_id, handle, display_name, profile_url, email, created_at)
            SELECT %s, 'c' || g, 'user' || g, '', '', '', now() FROM generate_series(1, %s) g
            """,
            [channel.pk, count],
        )
        cursor.execute(
            """
            INSERT INTO inbox_conversation (
                channel_id, contact_id, kind, thread_key, subject, snippet, parent_url, status, priority, tags,
                match_reason, requires_reply, first_inbound_at, last_inbound_at, waiting_since, sla_state,
                created_at, updated_at)
            SELECT %s, id, 'public', 't' || id, '', 'hola', '', 'new', 1 + id %% 4, '[]', '', true,
                   now(), now(), now() - make_interval(secs => id), 'none', now(), now()
            FROM inbox_contact
            """,
            [channel.pk],
        )
        cursor.execute("ANALYZE")
    say(
        f"{count:,} new conversations and {gestores} gestores on shift "
        f"generated in {time.perf_counter() - started:.1f} s"
    )
    return team


def spread() -> tuple[int, int]:
    from django.db.models import Count

    from inbox.models import Conversation

    loads = list(
        Conversation.objects.filter(assignee__isnull=False)
        .values("assignee")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    return (max(loads) - min(loads), sum(loads)) if loads else (0, 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--gestores", type=int, default=50)
    args = parser.parse_args()
    django_on_fresh_database("mostrador_bench_assign", say=say)
    from django.db import connection, transaction

    from inbox.models import Conversation
    from teams.services.assignment import conversations_assign

    team = generate(args.conversations, args.gestores)
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    gestor_ids = list(team.members.order_by("pk").values_list("user_id", flat=True))

    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "UPDATE inbox_conversation SET assignee_id = (%s::int[])[1 + (id %% %s)]",
            [gestor_ids, len(gestor_ids)],
        )
        baseline = len(ids) / (time.perf_counter() - started)
        transaction.set_rollback(True)
    say(f"baseline: one set-based round-robin UPDATE: {baseline:,.0f} conversations/s")

    started = time.perf_counter()
    for start in range(0, len(ids), 200):
        conversations_assign(conversation_ids=ids[start : start + 200])
    elapsed = time.perf_counter() - started
    rate = len(ids) / elapsed
    gap, assigned = spread()
    say(f"service: {assigned:,} assigned in {elapsed:.1f} s = {rate:,.0f}/s; open load spread {gap}")

    result = {
        "bench": "assign",
        "figures": {
            "conversations": len(ids),
            "gestores": len(gestor_ids),
            "assigned": assigned,
            "assigned_per_s": round(rate),
            "spread_max_minus_min": gap,
            "baseline_set_update_per_s": round(baseline),
        },
        "target": {"assigned_per_s": TARGET_PER_SECOND, "spread_max_minus_min": TARGET_SPREAD},
        "met": rate >= TARGET_PER_SECOND and gap <= TARGET_SPREAD and assigned == len(ids),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
