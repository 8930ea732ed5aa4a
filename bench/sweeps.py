"""The periodic sweeps at one million messages, when there is nothing new to do.

What it does, printing as it goes:
1. loads a fresh ``mostrador_bench_1m_sweeps`` with ``_million`` (1,000,000
   messages in 300,000 conversations, 20 channels, 90 days), Django set up
   in-process against it, Redis db 7, Celery tasks run eagerly;
2. for each sweep the beat runs — the rota tick (shift handover and team queue
   drain for every team, ``teams.services.assignment.rota_tick``, which ``rota_tick_task`` calls),
   ``crisis_detect``, ``sla_sweep`` and ``conversations_escalate`` on an empty
   list — runs it once to settle (whatever was due is done then), then times
   five more runs and takes the median;
3. prints one JSON line: the figures, the target (each ≤ 100 ms) and whether it was met.

Usage: ``python bench/sweeps.py [--messages 1000000] [--runs 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "mostrador_bench_1m_sweeps"
REDIS_URL = "redis://127.0.0.1:6379/7"
TARGET_MS = 100


def say(message: str) -> None:
    print(f"[sweeps] {message}", flush=True)


def rota_tick() -> dict:
    """What ``rota_tick_task`` does: the service it calls."""
    from teams.services.assignment import rota_tick

    return rota_tick()


def crisis() -> int:
    from protocols.crisis import crisis_detect

    return len(crisis_detect())


def sla() -> dict:
    from protocols.sla import sla_sweep

    result = sla_sweep()
    return {"breached": len(result.breached), "at_risk": len(result.at_risk)}


def escalate() -> int:
    from protocols.escalation import conversations_escalate

    return conversations_escalate(conversation_ids=[], trigger="breached")


def timed(name: str, work, runs: int) -> float:
    started = time.perf_counter()
    outcome = work()
    say(f"{name}: settling run {(time.perf_counter() - started) * 1000:.0f} ms, did {outcome}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        outcome = work()
        times.append((time.perf_counter() - started) * 1000)
    say(f"{name}: {runs} runs " + ", ".join(f"{t:.1f}" for t in times) + f" ms (last did {outcome})")
    return round(statistics.median(times), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()

    from _million import load

    info = load(messages=args.messages, database=DB, say=say)

    figures = {
        "rota_tick_ms": timed("rota tick", rota_tick, args.runs),
        "crisis_detect_ms": timed("crisis_detect", crisis, args.runs),
        "sla_sweep_ms": timed("sla_sweep", sla, args.runs),
        "escalate_ms": timed("conversations_escalate([])", escalate, args.runs),
        "messages": info["messages"],
    }
    target = {
        "rota_tick_ms": TARGET_MS,
        "crisis_detect_ms": TARGET_MS,
        "sla_sweep_ms": TARGET_MS,
        "escalate_ms": TARGET_MS,
    }
    met = all(figures[k] <= v for k, v in target.items())
    print(json.dumps({"bench": "sweeps", "figures": figures, "target": target, "met": met}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
