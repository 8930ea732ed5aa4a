"""Shared loader of the one-million-message benchmarks.

On a fresh PostgreSQL database (migrated, Django set up against it) it builds a
believable Mostrador: 20 channels, about 15 gestores and the other roles,
teams with members, weekly shifts, extra shifts, absences and holidays; then,
with COPY streamed from Python, contacts (some with several conversations),
300,000 conversations over the last 90 days (most resolved, some new, open or
waiting, with deadlines on the open ones), 1,000,000 messages (inbound,
outbound and internal notes, in Spanish, with a few rare words and many common
ones) and their conversation events. It resets the sequences, writes the
conversations' search documents (what the triggers would have written, set-wise)
and runs VACUUM ANALYZE.

Use it from a benchmark::

    from _million import load
    info = load(messages=1_000_000, say=say)

or on its own to fill ``mostrador_bench_1m``:
``python bench/_million.py [--messages 1000000] [--database mostrador_bench_1m]``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from itertools import islice

import psycopg2
from _django import PG, django_on_fresh_database

DATABASE = "mostrador_bench_1m"
PASSWORD = "bench-password"
# Words the search benchmark looks for: one in a handful of messages, one in many.
RARE_WORD = "ornitorrinco"
COMMON_WORD = "pedido"
RARE_SHARE = 20  # about this many messages carry the rare word, whatever the size

GREETINGS = ["Hola", "Buenas", "Buenos días", "Buenas tardes", "Hola, buenas noches", "Saludos", ""]
OPENINGS = [
    "mi pedido no ha llegado todavía",
    "el pedido llegó incompleto, falta una barra de pan",
    "quería saber si abrís el domingo",
    "¿tenéis pan sin gluten en la tienda del centro?",
    "la tarta de cumpleaños estaba riquísima, gracias",
    "me cobraron dos veces el mismo pedido",
    "el repartidor fue muy amable",
    "¿hacéis envíos a domicilio en Getafe?",
    "llevo una hora esperando y nadie me atiende",
    "las croquetas estaban frías",
    "¿cuál es el horario de la tienda de Chamberí?",
    "quiero cambiar la dirección de entrega del pedido",
    "me encantan vuestras napolitanas de chocolate",
    "la web da error al pagar con tarjeta",
    "¿puedo encargar un roscón para el sábado?",
    "el pan de centeno ya no es como antes",
    "he encontrado un pelo en la empanada",
    "¿tenéis opciones veganas?",
    "el cupón de descuento no funciona",
    "quiero anular mi pedido de mañana",
    "la dependienta de la tienda de Lavapiés fue muy borde",
    "¿dónde puedo dejar una reclamación?",
    "gracias por la rapidez con la devolución",
    "el bizcocho llegó aplastado",
]
DETAILS = [
    "Es el número {n}.",
    "Lo pedí el martes por la tarde.",
    "Vivo en la calle Alcalá {n}.",
    "Espero respuesta pronto.",
    "Un saludo.",
    "Es la segunda vez que pasa.",
    "Os sigo desde hace años.",
    "No es la primera vez que os escribo.",
    "Adjunto el ticket de compra.",
    "Mi teléfono acaba en {n}.",
    "",
    "",
]
REPLIES = [
    "Hola, sentimos mucho lo ocurrido. ¿Nos indicas el número de pedido por privado?",
    "¡Gracias por escribirnos! Abrimos el domingo de 9:00 a 14:00.",
    "Hemos revisado tu pedido y lo recibirás mañana antes de las 12:00.",
    "Te hemos devuelto el importe duplicado; lo verás en tu cuenta en 3 a 5 días.",
    "Sí, tenemos pan sin gluten en todas las tiendas. ¡Te esperamos!",
    "Gracias por tus palabras, se lo diremos al equipo del obrador.",
    "Disculpa las molestias. Ya hemos avisado a la tienda.",
    "Puedes encargarlo en la web o llamando a la tienda. ¡Gracias!",
    "Hemos cambiado la dirección de entrega del pedido.",
    "El cupón era válido hasta ayer; te enviamos uno nuevo por privado.",
]
NOTES = [
    "Cliente habitual, ofrecer cupón.",
    "Pasado a la tienda del centro por teléfono.",
    "Revisar con logística el reparto de la zona sur.",
    "Pendiente de que contabilidad confirme la devolución.",
    "Tono agresivo, no entrar en discusión.",
]
FIRST_NAMES = ["Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Leo", "Julia", "Daniel", "Paula", "Álvaro", "Carmen"]
LAST_NAMES = ["García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz", "Moreno", "Romero"]
CHANNEL_KINDS = ["facebook", "instagram", "x", "web"]
# Category slug → share of the classified conversations (10% stay unclassified).
CATEGORY_WEIGHTS = {"consulta": 45, "queja": 25, "comentario": 18, "sugerencia": 10, "crisis": 2}


def _ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f+00")


def _text(value: str) -> str:
    """COPY text format escaping."""
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n").replace("\r", " ")


class _Lines:
    """A file-like object over an iterator of lines, for ``copy_expert`` (streamed, not held in memory)."""

    def __init__(self, lines):
        self._lines = lines
        self._buffer = ""

    def read(self, size: int = -1) -> str:
        parts = [self._buffer]
        have = len(self._buffer)
        while size < 0 or have < size:
            chunk = "".join(islice(self._lines, 2000))
            if not chunk:
                break
            parts.append(chunk)
            have += len(chunk)
        data = "".join(parts)
        if size < 0:
            self._buffer = ""
            return data
        self._buffer = data[size:]
        return data[:size]

    readline = read


# Values for NOT NULL columns the loader does not list (Django keeps their defaults
# in Python, not in the database): a column added later does not break the COPY.
_EMPTY = {"text": "''", "character varying": "''", "boolean": "false", "jsonb": "'{}'", "smallint": "0", "integer": "0"}


def _copy(cursor, table: str, columns: list[str], lines) -> None:
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND NOT (column_name = ANY(%s))",
        [table, columns],
    )
    missing = [(name, _EMPTY[kind]) for name, kind in cursor.fetchall() if kind in _EMPTY]
    for name, value in missing:
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT {value}")
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", _Lines(iter(lines)))
    for name, _value in missing:
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {name} DROP DEFAULT")


# --- The small tables, through the ORM ------------------------------------------------------


def _people_and_teams(rng: random.Random, channels: int, now: datetime) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from channels.models import Channel
    from core.roles import Role
    from protocols.models import Category, SlaPolicy
    from teams.models import Absence, ExtraShift, Member, PublicHoliday, Shift, Team

    channel_rows = []
    for n in range(channels):
        kind = CHANNEL_KINDS[n % len(CHANNEL_KINDS)]
        channel_rows.append(
            Channel.objects.create(
                kind=kind,
                name=f"La Espiga {kind.capitalize()} {n + 1:02d}",
                key=f"espiga-{kind}-{n + 1:02d}",
                external_account_id=f"acct-{n + 1:03d}",
                credentials={"secret": f"bench-{n}"},
            )
        )
    groups = {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    password = make_password(PASSWORD)
    people = [(f"gestor{n:02d}", Role.GESTOR) for n in range(1, 16)]
    people += [("supervisor1", Role.SUPERVISOR), ("supervisor2", Role.SUPERVISOR)]
    people += [("cm", Role.COMMUNITY_MANAGER), ("owner", Role.OWNER)]
    users = {}
    for username, role in people:
        first = rng.choice(FIRST_NAMES)
        user = User.objects.create(
            username=username,
            password=password,
            first_name=first,
            last_name=rng.choice(LAST_NAMES),
            email=f"{username}@laespiga.example",
        )
        user.groups.add(groups[role.value])
        users[username] = user
    gestores = [users[f"gestor{n:02d}"] for n in range(1, 16)]
    members = {
        u.username: Member.objects.create(user=u, capacity=rng.choice([10, 15, 20]), languages=["es"])
        for u in [*gestores, users["supervisor1"], users["supervisor2"]]
    }
    # Three teams: social networks, the website, and the night shift over everything.
    social = [c for c in channel_rows if c.kind != "web"]
    web = [c for c in channel_rows if c.kind == "web"]
    teams = [
        (Team.objects.create(name="Redes sociales"), social, [*gestores[:8], users["supervisor1"]]),
        (Team.objects.create(name="Web", strategy=Team.Strategy.ROUND_ROBIN), web, gestores[8:12]),
        (Team.objects.create(name="Noche"), channel_rows, [*gestores[12:], users["supervisor2"]]),
    ]
    shifts, extras, absences, holidays = [], [], [], []
    for index, (team, team_channels, team_users) in enumerate(teams):
        team.channels.add(*team_channels)
        team_members = [members[u.username] for u in team_users]
        team.members.add(*team_members)
        slots = [(clock(23), clock(7))] if team.name == "Noche" else [(clock(7), clock(15)), (clock(15), clock(23))]
        for weekday in range(7):
            for slot, (starts, ends) in enumerate(slots):
                for k, member in enumerate(team_members):
                    if (k + weekday + slot) % len(slots) == 0 and (k + weekday) % 7 != 6:
                        shifts.append(Shift(team=team, member=member, weekday=weekday, starts=starts, ends=ends))
        for day in range(1, 4):
            start = (now + timedelta(days=day)).replace(hour=17, minute=0, second=0, microsecond=0)
            extras.append(
                ExtraShift(
                    team=team,
                    member=team_members[day % len(team_members)],
                    starts_at=start,
                    ends_at=start + timedelta(hours=4),
                )
            )
        holidays.append(PublicHoliday(team=team, date=date(now.year, 12, 25), name="Navidad"))
        holidays.append(PublicHoliday(team=team, date=(now + timedelta(days=10 + index)).date(), name="Fiesta local"))
        member = team_members[0]
        absences.append(
            Absence(
                member=member, first_day=(now + timedelta(days=5)).date(), last_day=(now + timedelta(days=12)).date()
            )
        )
    Shift.objects.bulk_create(shifts)
    ExtraShift.objects.bulk_create(extras)
    PublicHoliday.objects.bulk_create(holidays, ignore_conflicts=True)
    Absence.objects.bulk_create(absences)

    categories = {c.slug: (c.pk, c.priority) for c in Category.objects.all()}
    policies = {}
    for policy in SlaPolicy.objects.filter(active=True, channel__isnull=True):
        policies[policy.category_id] = policy
    team_of_channel = {}
    for team, team_channels, _users in teams:
        if team.name != "Noche":
            for channel in team_channels:
                team_of_channel[channel.pk] = team.pk
    return {
        "channels": [(c.pk, c.kind) for c in channel_rows],
        "gestores": [u.pk for u in gestores],
        "supervisor": users["supervisor1"],
        "categories": categories,
        "policies": policies,
        "team_of_channel": team_of_channel,
        "teams": [t.pk for t, _c, _u in teams],
    }


# --- The big tables, through COPY ---------------------------------------------------------


def _message_counts(rng: random.Random, conversations: int, messages: int) -> list[int]:
    """At least one message each; the rest spread unevenly (a few long threads)."""
    counts = [1] * conversations
    extra = messages - conversations
    hot = max(1, conversations // 20)
    for _ in range(extra):
        if rng.random() < 0.25:
            counts[rng.randrange(hot) * 20] += 1  # long threads on every 20th conversation
        else:
            counts[rng.randrange(conversations)] += 1
    return counts


def _bodies(rng: random.Random, size: int = 4000) -> list[str]:
    pool = []
    for _ in range(size):
        greeting = rng.choice(GREETINGS)
        text = rng.choice(OPENINGS)
        text = f"{greeting}, {text}" if greeting else text[0].upper() + text[1:]
        detail = rng.choice(DETAILS).format(n=rng.randrange(1, 999))
        pool.append(_text(f"{text}. {detail}".strip()))
    return pool


def _generate(rng, ctx, *, messages: int, conversations: int, days: int, now: datetime, say) -> dict:
    channels = ctx["channels"]
    gestores = ctx["gestores"]
    categories = ctx["categories"]
    policies = ctx["policies"]
    slugs = [s for s in CATEGORY_WEIGHTS if s in categories]
    weights = [CATEGORY_WEIGHTS[s] for s in slugs]
    start = now - timedelta(days=days)
    span = (now - start).total_seconds()

    # Contacts: 60% of the conversations have their own contact; the rest come back.
    contacts = max(1, int(conversations * 0.6))
    contact_channel = [channels[c % len(channels)][0] for c in range(contacts)]
    contact_of = list(range(contacts)) + [rng.randrange(contacts) for _ in range(conversations - contacts)]
    rng.shuffle(contact_of)
    contact_created = [None] * contacts

    counts = _message_counts(rng, conversations, messages)
    bodies = _bodies(rng)
    message_columns = [
        "id", "conversation_id", "channel_id", "direction", "external_id", "author_contact_id", "sender_id",
        "body", "attachments", "created_at", "received_at", "delivery_status", "delivery_error", "idempotency_key",
        "attempts", "next_attempt_at", "sent_at", "to_private", "edited_at", "removed_at", "hidden_at",
        "hidden_by_id", "hidden_reason",
    ]  # fmt: skip
    conversation_columns = [
        "id", "channel_id", "contact_id", "kind", "thread_key", "subject", "snippet", "parent_url", "status",
        "assignee_id", "team_id", "category_id", "priority", "tags", "matched_rule_id", "match_reason",
        "requires_reply", "sla_policy_id", "first_response_due_at", "next_response_due_at", "resolution_due_at",
        "sla_due_at", "sla_warn_at", "sla_state", "sla_escalation_owed", "first_inbound_at", "first_response_at",
        "last_inbound_at", "last_outbound_at", "waiting_since", "created_at", "updated_at",
    ]  # fmt: skip
    event_columns = ["id", "conversation_id", "kind", "actor_id", "data", "created_at"]

    conversation_lines: list[str] = []
    event_lines: list[str] = []
    stats = {"new": 0, "open": 0, "waiting": 0, "resolved": 0, "rare": 0, "ok": 0, "at_risk": 0, "breached": 0}
    N = "\\N"
    rare_every = max(1, messages // RARE_SHARE)

    def message_lines():
        message_id = 0
        event_id = 0
        for index in range(conversations):
            conversation_id = index + 1
            contact = contact_of[index]
            channel_id = contact_channel[contact]
            kind = "private" if rng.random() < 0.55 else "public"
            created = start + timedelta(seconds=span * (index + rng.random()) / conversations)
            if contact_created[contact] is None or created < contact_created[contact]:
                contact_created[contact] = created
            count = counts[index]
            room = (now - created).total_seconds() - 60
            gap = min(rng.uniform(120, 14400), room / (count + 1)) if room > 0 else 1.0
            last_at = created + timedelta(seconds=gap * count)
            recent = (now - last_at) < timedelta(days=2)
            if (recent and rng.random() < 0.7) or rng.random() < 0.005:
                status = rng.choices(["new", "open", "waiting"], [2, 5, 3])[0]
            else:
                status = "resolved"
            stats[status] += 1
            assignee = None if status == "new" and rng.random() < 0.5 else gestores[rng.randrange(len(gestores))]
            slug = rng.choices(slugs, weights)[0] if rng.random() < 0.9 else None
            category_id, priority = categories[slug] if slug else (None, 2)
            policy = policies.get(category_id) if status != "resolved" else None

            # The thread: inbound first; then alternating, with an occasional note.
            first_in = last_in = last_out = first_out = None
            snippet = ""
            direction = "in"
            for k in range(count):
                message_id += 1
                at = created + timedelta(seconds=gap * k + rng.random() * 30)
                if k == 0 or status == "new":
                    direction = "in"
                elif status == "waiting" and k == count - 1:
                    direction = "out"
                elif status in ("open",) and k == count - 1:
                    direction = "in"
                elif rng.random() < 0.06:
                    direction = "note"
                else:
                    direction = "out" if direction == "in" else "in"
                stamp = _ts(at)
                if direction == "in":
                    body = bodies[rng.randrange(len(bodies))]
                    if message_id % rare_every == 0:
                        body = f"{body} Os envío la foto del {RARE_WORD} de mazapán."
                        stats["rare"] += 1
                    snippet = body[:200]
                    first_in = first_in or at
                    last_in = at
                    yield (
                        f"{message_id}\t{conversation_id}\t{channel_id}\tin\tm{message_id}\t{contact + 1}\t{N}\t"
                        f"{body}\t[]\t{stamp}\t{stamp}\t\t\t{N}\t0\t{N}\t{N}\tf\t{N}\t{N}\t{N}\t{N}\t\n"
                    )
                elif direction == "out":
                    sender = assignee or gestores[0]
                    first_out = first_out or at
                    last_out = at
                    yield (
                        f"{message_id}\t{conversation_id}\t{channel_id}\tout\to{message_id}\t{N}\t{sender}\t"
                        f"{REPLIES[rng.randrange(len(REPLIES))]}\t[]\t{stamp}\t{stamp}\tsent\t\t{N}\t1\t{N}\t"
                        f"{stamp}\tf\t{N}\t{N}\t{N}\t{N}\t\n"
                    )
                else:
                    sender = assignee or gestores[0]
                    yield (
                        f"{message_id}\t{conversation_id}\t{channel_id}\tnote\t{N}\t{N}\t{sender}\t"
                        f"{NOTES[rng.randrange(len(NOTES))]}\t[]\t{stamp}\t{stamp}\t\t\t{N}\t0\t{N}\t{N}\tf\t"
                        f"{N}\t{N}\t{N}\t{N}\t\n"
                    )
            last_at = last_in if not last_out or (last_in and last_in > last_out) else last_out

            # Deadlines on what is still open: on time, at risk or overdue (none flips during a run).
            sla = {"first": N, "next": N, "resolution": N, "due": N, "warn": N, "state": "none"}
            waiting_since = N
            if status in ("new", "open"):
                waiting_since = _ts(last_in)
                state = rng.choices(["ok", "at_risk", "breached"], [6, 2, 2])[0]
                stats[state] += 1
                if state == "ok":
                    due = now + timedelta(hours=rng.uniform(2, 30))
                    warn = now + timedelta(hours=1)
                elif state == "at_risk":
                    due = now + timedelta(hours=rng.uniform(2, 6))
                    warn = now - timedelta(minutes=rng.uniform(1, 120))
                else:
                    due = now - timedelta(minutes=rng.uniform(1, 3000))
                    warn = due - timedelta(minutes=30)
                sla.update(due=_ts(due), warn=_ts(warn), state=state)
                sla["first" if status == "new" else "next"] = _ts(due)
                sla["resolution"] = _ts(due + timedelta(days=2))
            team_id = ctx["team_of_channel"].get(channel_id) if assignee is None else None
            subject = "Comentario en «Nuevo roscón de Reyes»" if kind == "public" and index % 3 == 0 else ""
            parent_url = f"https://social.example/post/{index % 977}" if kind == "public" else ""
            conversation_lines.append(
                "\t".join(
                    [
                        str(conversation_id),
                        str(channel_id),
                        str(contact + 1),
                        kind,
                        f"t{conversation_id}",
                        subject,
                        snippet,
                        parent_url,
                        status,
                        str(assignee) if assignee else N,
                        str(team_id) if team_id else N,
                        str(category_id) if category_id else N,
                        str(priority),
                        "[]",
                        N,
                        f"Palabra clave: {slug}" if slug else "",
                        "t" if slug != "comentario" else "f",
                        str(policy.pk) if policy else N,
                        sla["first"],
                        sla["next"],
                        sla["resolution"],
                        sla["due"],
                        sla["warn"],
                        sla["state"],
                        "f",
                        _ts(first_in),
                        _ts(first_out) if first_out else N,
                        _ts(last_in),
                        _ts(last_out) if last_out else N,
                        waiting_since,
                        _ts(created),
                        _ts(last_at),
                    ]
                )
                + "\n"
            )
            # Events: received, assigned, first reply sent, resolved.
            created_stamp = _ts(created)
            event_id += 1
            event_lines.append(f"{event_id}\t{conversation_id}\treceived\t{N}\t{{}}\t{created_stamp}\n")
            if assignee:
                event_id += 1
                event_lines.append(
                    f"{event_id}\t{conversation_id}\tassigned\t{N}\t"
                    f'{{"to": {assignee}, "reason": "rota"}}\t{_ts(created + timedelta(seconds=5))}\n'
                )
            if first_out:
                event_id += 1
                event_lines.append(
                    f"{event_id}\t{conversation_id}\treply_sent\t{assignee or N}\t{{}}\t{_ts(first_out)}\n"
                )
            if status == "resolved":
                event_id += 1
                event_lines.append(
                    f"{event_id}\t{conversation_id}\tresolved\t{assignee or N}\t{{}}\t"
                    f"{_ts(last_at + timedelta(minutes=1))}\n"
                )
            if index and index % 50_000 == 0:
                say(f"  … {index:,} conversations, {message_id:,} messages streamed")

    conn = psycopg2.connect(dbname=_database_name(), **PG)
    with conn, conn.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # FKs are checked once, below
        started = time.perf_counter()
        _copy(cursor, "inbox_message", message_columns, message_lines())
        say(f"{messages:,} messages copied in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()

        def contact_lines():
            for c in range(contacts):
                first, last = FIRST_NAMES[c % len(FIRST_NAMES)], LAST_NAMES[(c // 11) % len(LAST_NAMES)]
                handle = f"{first.lower()}_{c + 1}"
                email = f"{handle}@correo.example" if c % 4 == 0 else ""
                yield (
                    f"{c + 1}\t{contact_channel[c]}\tu{c + 1}\t{handle}\t{first} {last}\t"
                    f"https://social.example/{handle}\t{email}\t{_ts(contact_created[c] or start)}\n"
                )

        _copy(
            cursor,
            "inbox_contact",
            ["id", "channel_id", "external_id", "handle", "display_name", "profile_url", "email", "created_at"],
            contact_lines(),
        )
        _copy(cursor, "inbox_conversation", conversation_columns, conversation_lines)
        _copy(cursor, "inbox_conversationevent", event_columns, event_lines)
        say(
            f"{contacts:,} contacts, {conversations:,} conversations, {len(event_lines):,} events copied "
            f"in {time.perf_counter() - started:.1f} s"
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        started = time.perf_counter()
        # The checks the replica role skipped: every reference resolves.
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM inbox_message m LEFT JOIN inbox_conversation c ON c.id = m.conversation_id
                     WHERE c.id IS NULL)
                 + (SELECT count(*) FROM inbox_conversation c LEFT JOIN inbox_contact t ON t.id = c.contact_id
                     WHERE t.id IS NULL OR t.channel_id <> c.channel_id)
            """
        )
        broken = cursor.fetchone()[0]
        if broken:
            raise RuntimeError(f"{broken} rows reference nothing")
        for table in ("inbox_contact", "inbox_conversation", "inbox_message", "inbox_conversationevent"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    conn.close()
    say(f"references checked, sequences reset in {time.perf_counter() - started:.1f} s")
    conn = psycopg2.connect(dbname=_database_name(), **PG)
    conn.autocommit = True
    with conn.cursor() as cursor:
        started = time.perf_counter()
        # The search documents the triggers (off under the replica role) would have
        # written row by row: the same functions, set-wise, the GIN index built after.
        cursor.execute("DROP INDEX conversation_search_idx")
        cursor.execute(
            """
            UPDATE inbox_conversation c
               SET search_document = coalesce(mostrador_search_head(c.contact_id, c.subject), ''::tsvector)
                                     || coalesce(m.document, ''::tsvector)
              FROM (SELECT conversation_id, mostrador_search_text(string_agg(body, ' ' ORDER BY id)) AS document
                      FROM inbox_message GROUP BY conversation_id) m
             WHERE m.conversation_id = c.id
            """
        )
        cursor.execute("CREATE INDEX conversation_search_idx ON inbox_conversation USING gin (search_document)")
        say(f"search documents written and indexed in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
    conn.close()
    conn = psycopg2.connect(dbname=_database_name(), **PG)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    conn.close()
    say(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    return {"contacts": contacts, "events": len(event_lines), **stats}


_current = {"name": DATABASE}


def _database_name() -> str:
    return _current["name"]


def load(
    *,
    messages: int = 1_000_000,
    conversations: int | None = None,
    channels: int = 20,
    days: int = 90,
    database: str = DATABASE,
    seed: int = 15,
    say=print,
) -> dict:
    """Create ``database`` afresh, set Django up on it and fill it; returns what was loaded.

    ``conversations`` defaults to 30% of ``messages`` (300,000 for a million).
    """
    conversations = conversations or max(1, messages * 3 // 10)
    if messages < conversations:
        raise ValueError("at least one message per conversation")
    _current["name"] = database
    total = time.perf_counter()
    django_on_fresh_database(database, say=say)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    ctx = _people_and_teams(rng, channels, now)
    say(f"{channels} channels, {len(ctx['gestores'])} gestores and the other roles, {len(ctx['teams'])} teams")
    stats = _generate(rng, ctx, messages=messages, conversations=conversations, days=days, now=now, say=say)
    seconds = time.perf_counter() - total
    say(f"loaded {messages:,} messages in {conversations:,} conversations in {seconds:.1f} s")
    supervisor = ctx["supervisor"]
    return {
        "database": database,
        "messages": messages,
        "conversations": conversations,
        "channels": [pk for pk, _kind in ctx["channels"]],
        "supervisor": {"id": supervisor.pk, "username": supervisor.username, "password": PASSWORD},
        "gestor_id": ctx["gestores"][0],
        "rare_word": RARE_WORD,
        "common_word": COMMON_WORD,
        "load_seconds": round(seconds, 1),
        **stats,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--database", default=DATABASE)
    args = parser.parse_args()
    info = load(messages=args.messages, database=args.database, say=lambda m: print(f"[million] {m}", flush=True))
    print(json.dumps(info, default=str))


if __name__ == "__main__":
    main()
