"""Classification through 200 protocol rules, on PostgreSQL.

What it does, printing as it goes:
1. creates a fresh database ``mostrador_bench_classify`` and migrates it;
2. writes 200 rules like a busy Community Manager's (keyword lists, phrases,
   regular expressions, author lists, sentiment, channel and visibility);
3. generates N realistic Spanish messages (fast: in memory, ingested in batches);
4. baseline, in this run: the ingest rate with every rule switched off;
5. the ingest rate with the 200 rules on, and the rate of classification alone
   (``messages_classify`` over stored messages, writes included);
6. prints one JSON line; the target is classification ≥ 2,000 items/s.

Usage: ``python bench/classify.py [--items 10000]``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import timedelta

from _django import django_on_fresh_database

TARGET_PER_SECOND = 2000
WORDS = [
    "pan",
    "tarta",
    "pedido",
    "tienda",
    "horario",
    "domingo",
    "precio",
    "reserva",
    "cumpleaños",
    "entrega",
    "café",
    "bollería",
    "masa",
    "madre",
    "integral",
    "centeno",
    "croissant",
    "napolitana",
    "empanada",
    "encargo",
    "dependienta",
    "cola",
    "espera",
    "caja",
    "tarjeta",
    "cambio",
    "servicio",
    "calidad",
    "sabor",
    "frío",
    "caliente",
    "tarde",
    "pronto",
    "ayer",
    "hoy",
    "mañana",
    "semana",
    "barrio",
    "calle",
    "local",
    "obrador",
    "vecina",
    "cliente",
    "familia",
    "niños",
    "gluten",
    "alérgeno",
    "leche",
    "huevo",
    "azúcar",
    "receta",
    "oferta",
    "descuento",
    "bolsa",
    "ticket",
]
GLUE = [
    "el",
    "la",
    "los",
    "las",
    "un",
    "una",
    "de",
    "del",
    "que",
    "y",
    "en",
    "con",
    "por",
    "para",
    "muy",
    "pero",
    "no",
    "sí",
    "ya",
    "me",
    "os",
    "nos",
    "lo",
    "le",
]
FLAVOUR = [
    "¿abrís el domingo?",
    "gracias por todo",
    "una queja formal",
    "¡qué rico estaba!",
    "me habéis cobrado dos veces",
    "sugerencia: pan sin sal",
    "vaya vergüenza de servicio",
    "hubo un accidente en la puerta",
]


def say(message: str) -> None:
    print(f"[classify] {message}", flush=True)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS if rng.random() < 0.55 else GLUE) for _ in range(rng.randint(10, 40))]
    words.insert(rng.randint(0, len(words)), rng.choice(FLAVOUR))
    return " ".join(words).capitalize()


def make_rules(rng: random.Random, channel) -> None:
    from protocols.models import AuthorList, Category, Rule

    categories = list(Category.objects.all())
    press = AuthorList.objects.create(name="Prensa", kind="press", handles="\n".join(f"@medio{i}" for i in range(200)))
    vocabulary = [*WORDS, *(f"palabra{i}" for i in range(2000))]
    rules = []
    for i in range(200):
        rule = Rule(name=f"Regla {i}", position=i, category=rng.choice(categories), priority=rng.choice([None, 2, 3]))
        kind = i % 20
        if kind < 14:
            # Mostly words nobody writes, so a message walks through many rules.
            rule.keywords = "\n".join(rng.sample(vocabulary[len(WORDS) :], rng.randint(5, 25)))
            if kind == 0:
                rule.keywords += "\nhoja de reclamaciones\ncobrado dos veces"
        elif kind < 17:
            rule.pattern = rf"pedido\s*#?\d{{{4 + kind}}}"
        elif kind == 17:
            rule.author_list = press
        elif kind == 18:
            rule.sentiment_below = -0.8
            rule.visibility = "public"
        else:
            rule.keywords = "accidente\nintoxicación"
            rule.channel = channel
        rules.append(rule)
    Rule.objects.bulk_create(rules)


def ingest(channel, rng: random.Random, count: int, batch: int = 200) -> float:
    from django.db import transaction
    from django.utils import timezone

    from channels.connectors.base import ContactRef, InboundItem
    from inbox.services.ingest import ReceivedItem, inbound_items_ingest

    now = timezone.now()
    received = [
        ReceivedItem(
            channel,
            InboundItem(
                external_id=f"{rng.random():.12f}",
                thread_key=f"t{rng.randint(0, count // 2)}",
                is_private=rng.random() < 0.3,
                author=ContactRef(external_id=f"u{n % 3000}", handle=f"user{n % 3000}"),
                body=sentence(rng),
                created_at=now - timedelta(seconds=count - n),
            ),
            now,
        )
        for n in range(count)
    ]
    started = time.perf_counter()
    for start in range(0, count, batch):
        with transaction.atomic():
            inbound_items_ingest(received=received[start : start + batch])
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    django_on_fresh_database("mostrador_bench_classify", say=say)

    from django.db import transaction

    from channels.models import Channel
    from inbox.models import Message
    from protocols.models import Rule
    from protocols.services import active_rules, messages_classify

    rng = random.Random(42)
    channel = Channel.objects.create(kind="fake", name="Bench", key="bench", credentials={"secret": "x"})
    Rule.objects.all().delete()
    make_rules(rng, channel)
    say("200 rules written")

    Rule.objects.update(active=False)
    baseline = ingest(channel, rng, args.items)
    say(f"baseline: ingest with no active rule: {baseline:,.0f} items/s")

    Rule.objects.update(active=True)
    with_rules = ingest(channel, rng, args.items)
    say(f"ingest with 200 rules: {with_rules:,.0f} items/s")

    rules = active_rules()
    stored = list(
        Message.objects.filter(direction="in")
        .select_related("conversation__category", "author_contact")
        .order_by("id")[: args.items]
    )
    started = time.perf_counter()
    for start in range(0, len(stored), 200):
        with transaction.atomic():
            messages_classify(messages=stored[start : start + 200], rules=rules)
    classify_rate = len(stored) / (time.perf_counter() - started)
    say(f"classification alone through {len(rules)} rules: {classify_rate:,.0f} items/s")

    result = {
        "bench": "classify",
        "figures": {
            "rules": len(rules),
            "items": args.items,
            "classify_items_per_s": round(classify_rate),
            "ingest_with_rules_items_per_s": round(with_rules),
            "ingest_baseline_no_rules_items_per_s": round(baseline),
            "ingest_ratio_with_rules": round(with_rules / baseline, 3),
        },
        "target": {"classify_items_per_s": TARGET_PER_SECOND},
        "met": classify_rate >= TARGET_PER_SECOND,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
