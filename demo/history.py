"""Eight weeks of believable history for the demo, so the weekly report shows
trends on first run: a quiet bakery (its web form and its Facebook page), a ski
resort busier at weekends with a crisis week (an accident on a slope, answered
late), and nights answered more slowly than days.

Written in bulk (a few thousand rows in a handful of INSERTs) with the times it
happened: messages, conversations, their events (``inbox.events`` with ``at=``),
SLA outcomes, a crisis alert, hidden comments and listening results. Idempotent:
nothing is added once the history exists. The report's tables are rebuilt at the end.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from channels.models import Channel
from inbox import events
from inbox.models import Contact, Conversation, Message
from protocols.business_time import business_add, business_elapsed
from protocols.models import Category, CrisisAlert, SlaOutcome
from protocols.sla import PolicyBook, conversations_sla_update
from reports.weeks import Week, business_zone

MARK = "hist:"
WEEKS = 8
CRISIS_WEEKS_AGO = 3  # the ski resort's accident

NAMES = [
    "Carmen Abad", "Jorge Lasheras", "Pilar Ezquerra", "Iñaki Arregui", "Lorena Sancho", "Raúl Bielsa",
    "Marta Gil", "Sergio Latre", "Elena Oliván", "Andrés Pueyo", "Nuria Lacasa", "Diego Campo", "Sara Benedí",
    "Óscar Bescós", "Alba Mur", "Hugo Ferrer", "Rocío Val", "Tomás Garcés", "Irene Salas", "Víctor Laborda",
]  # fmt: skip

# channel key → [(category slug, text, reply)]
TEXTS = {
    "demo-web": [
        (
            "consulta",
            "¿Tenéis roscón sin frutas confitadas por encargo?",
            "¡Sí! Encárgalo con 24 h en la tienda o aquí.",
        ),
        ("consulta", "¿Abrís el domingo por la tarde?", "Los domingos abrimos de 9:00 a 14:00. ¡Te esperamos!"),
        ("consulta", "¿Hacéis pan de espelta todos los días?", "De martes a sábado; el resto, por encargo."),
        (
            "queja",
            "El pedido de ayer llegó sin la barra de centeno.",
            "Lo sentimos mucho; te la llevamos hoy sin coste.",
        ),
        ("sugerencia", "Estaría bien poder pagar con Bizum en la tienda.", "¡Gracias! Lo estamos preparando."),
        ("comentario", "¡Las napolitanas de hoy, espectaculares! Gracias.", ""),
    ],
    "demo-facebook": [
        ("consulta", "¿Tenéis opciones veganas en la tienda del centro?", "Sí: pan, empanadas de verduras y galletas."),
        (
            "queja",
            "Ayer la cola era larguísima y solo había una persona atendiendo.",
            "Perdona la espera; reforzamos las tardes.",
        ),
        ("comentario", "Qué buena pinta ese pan de masa madre 😍", ""),
        ("consulta", "¿Hasta qué hora se puede recoger un encargo?", "Hasta las 20:30 de lunes a sábado."),
    ],
    "demo-esqui": [
        (
            "consulta",
            "¿Cómo están las pistas este fin de semana?",
            "Abiertas 42 de 48 pistas, nieve polvo en cotas altas.",
        ),
        (
            "consulta",
            "¿Se puede alquilar material para niños de 4 años?",
            "Sí, en el alquiler de la base; reserva online.",
        ),
        ("queja", "Más de una hora de cola en el telesilla principal.", "Lo sentimos; hoy abrimos un segundo acceso."),
        (
            "queja",
            "El forfait no pasaba por los tornos y nadie ayudaba.",
            "Disculpa; pásate por taquilla y lo revisamos.",
        ),
        ("sugerencia", "Podríais poner más papeleras en la zona de debutantes.", "¡Apuntado! Gracias por la idea."),
        ("comentario", "¡Día perfecto en Valle Blanco! Gracias equipo.", ""),
    ],
}
CRISIS_TEXTS = [
    "¿Qué ha pasado en la pista roja? Dicen que ha habido un accidente grave en el telesilla.",
    "Exijo una explicación sobre el accidente del telesilla. ¿Es seguro volver?",
    "Tengo el forfait de temporada y después del accidente no pienso subir sin saber qué pasó.",
    "Silencio total de la estación tras el accidente. Vergonzoso.",
]
CRISIS_REPLY = "Lamentamos profundamente el accidente. Seguimos el protocolo y daremos toda la información hoy."
HOLDING = "Estamos revisando lo ocurrido y os informaremos en cuanto sea posible."


def _responder(users: dict, at: datetime):
    """Who is on shift at a local hour (the demo's rota: 7–15, 15–23, 23–7)."""
    hour = at.astimezone(business_zone()).hour
    return users["gestor1"] if 7 <= hour < 15 else users["gestor2"] if 15 <= hour < 23 else users["gestor3"]


def _delay(rng: random.Random, at: datetime, *, weekend_slow: bool) -> timedelta:
    """How long the first answer takes: minutes by day, hours at night (answered next morning)."""
    local = at.astimezone(business_zone())
    if local.hour >= 23 or local.hour < 7:
        morning = datetime.combine(local.date() + timedelta(days=local.hour >= 23), time(8), business_zone())
        return morning - at + timedelta(minutes=rng.randint(0, 90))
    if weekend_slow and local.weekday() >= 5:
        return timedelta(minutes=rng.randint(60, 300))
    if local.hour >= 20:
        return timedelta(minutes=rng.randint(30, 180))
    return timedelta(minutes=rng.randint(3, 55), seconds=rng.randint(0, 59))


def history_seed(*, users: dict, channels: dict[str, Channel], now: datetime | None = None) -> int:
    """Add the history once; return how many conversations it added."""
    if Conversation.objects.filter(thread_key__startswith=MARK).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(2026)  # noqa: S311 - demo data, not secrets
    categories = {c.slug: c for c in Category.objects.all()}
    book = PolicyBook()
    first_day = Week.containing(now).shift(-WEEKS).monday
    crisis_monday = Week.containing(now).shift(-CRISIS_WEEKS_AGO).monday
    crisis_at = datetime.combine(crisis_monday + timedelta(days=1), time(10, 5), business_zone())
    horizon = now - timedelta(days=2)  # the recent days belong to the hand-written demo conversations

    plans = []  # (channel key, moment, slug, text, reply, crisis)
    for offset in range((horizon.date() - first_day).days):
        day = first_day + timedelta(days=offset)
        weekend = day.weekday() >= 5
        for key, low, high in (("demo-web", 2, 5), ("demo-facebook", 1, 3), ("demo-esqui", 3, 6)):
            if key == "demo-esqui" and weekend:
                low, high = low + 4, high + 6
            for _ in range(rng.randint(low, high)):
                hour = rng.choices(
                    range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 8, 8, 7, 6, 6, 6, 7, 8, 8, 7, 6, 4, 3, 2]
                )[0]
                moment = datetime.combine(day, time(hour, rng.randint(0, 59), rng.randint(0, 59)), business_zone())
                if moment >= horizon:
                    continue
                slug, text, reply = rng.choice(TEXTS[key])
                plans.append((key, moment, slug, text, reply, False))
    for n in range(34):  # the crisis: complaints pile up over two days after the accident
        moment = crisis_at - timedelta(minutes=50) + timedelta(minutes=int(rng.expovariate(1 / 600)) + n)
        plans.append(("demo-esqui", moment, "crisis", CRISIS_TEXTS[n % len(CRISIS_TEXTS)], CRISIS_REPLY, True))
    plans.sort(key=lambda plan: plan[1])

    contacts, conversations = [], []
    for n, (key, *_rest) in enumerate(plans):
        name = NAMES[n % len(NAMES)]
        handle = f"{name.split()[0].lower()}.{n}"
        contacts.append(
            Contact(
                channel=channels[key],
                external_id=f"{MARK}{n}",
                handle=handle,
                display_name=name,
                email=f"{handle}@example.com" if key != "demo-facebook" else "",
            )
        )
    Contact.objects.bulk_create(contacts)

    replies_at: dict[int, datetime] = {}
    for n, (key, moment, slug, text, _reply, crisis) in enumerate(plans):
        category = categories[slug]
        conversation = Conversation(
            channel=channels[key],
            contact=contacts[n],
            kind=Conversation.Kind.PUBLIC if key == "demo-facebook" else Conversation.Kind.PRIVATE,
            thread_key=f"{MARK}{n}",
            subject="Comentario en «Pan de masa madre»" if key == "demo-facebook" else text[:40],
            snippet=text[:200],
            category=category,
            priority=Conversation.Priority.URGENT if crisis else Conversation.Priority.NORMAL,
            requires_reply=category.requires_reply,
            match_reason=f"{category.name}: «{text.split()[0]}»",
            first_inbound_at=moment,
            last_inbound_at=moment,
            status=Conversation.Status.RESOLVED,
        )
        conversation.sla_policy = book.policy_for(conversation)
        recent = now - moment < timedelta(days=10)
        if not category.requires_reply:
            answered = None
        elif crisis:
            # Seven hours of silence after the alert, then answers through the evening.
            answered = max(moment, crisis_at + timedelta(hours=7)) + timedelta(minutes=rng.randint(5, 240))
        elif recent and rng.random() < 0.06:
            answered = None  # still waiting: the report's "unanswered"
            conversation.status = Conversation.Status.OPEN
            conversation.waiting_since = moment
        else:
            answered = moment + _delay(rng, moment, weekend_slow=key != "demo-esqui")
        if answered:
            replies_at[n] = answered
            conversation.first_response_at = conversation.last_outbound_at = answered
            if recent and rng.random() < 0.4:
                conversation.status = Conversation.Status.WAITING
        conversation.assignee = _responder(users, answered or moment) if answered or crisis else None
        conversations.append(conversation)
    Conversation.objects.bulk_create(conversations)

    messages, outbound = [], {}
    for n, (_key, moment, _slug, text, reply, _crisis) in enumerate(plans):
        conversation = conversations[n]
        messages.append(
            Message(
                conversation=conversation,
                channel=conversation.channel,
                direction=Message.Direction.IN,
                external_id=f"{MARK}in-{n}",
                author_contact=contacts[n],
                body=text,
                created_at=moment,
            )
        )
        if n in replies_at:
            at = replies_at[n]
            outbound[n] = Message(
                conversation=conversation, channel=conversation.channel, direction=Message.Direction.OUT,
                external_id=f"{MARK}out-{n}", sender=conversation.assignee, body=reply or HOLDING, created_at=at,
                delivery_status=Message.DeliveryStatus.SENT, idempotency_key=Message.new_idempotency_key(),
                sent_at=at, attempts=1,
            )  # fmt: skip
            messages.append(outbound[n])
    Message.objects.bulk_create(messages)

    log, outcomes = events.Batch(), []
    inbound = [m for m in messages if m.direction == Message.Direction.IN]
    for n, message in enumerate(inbound):
        conversation = conversations[n]
        log.received(message=message, at=message.created_at)
        if conversation.assignee_id:
            log.assigned(
                conversation=conversation, assignee_id=conversation.assignee_id, previous_assignee_id=None,
                reason="auto", at=message.created_at + timedelta(seconds=20),
            )  # fmt: skip
        policy = conversation.sla_policy
        if n in outbound:
            log.reply_sent(message=outbound[n], at=outbound[n].sent_at)
            if policy is not None and conversation.requires_reply:
                outcomes.append(_outcome(book, conversation, "first_response", policy.first_response_minutes,
                                         replies_at[n]))  # fmt: skip
        if conversation.status == Conversation.Status.RESOLVED and n in outbound:
            resolved_at = replies_at[n] + timedelta(hours=rng.randint(1, 30))
            if resolved_at < now:
                log.resolved(conversation=conversation, by=conversation.assignee_id, at=resolved_at)
                if policy is not None and policy.resolution_minutes:
                    outcomes.append(_outcome(book, conversation, "resolution", policy.resolution_minutes,
                                             resolved_at))  # fmt: skip
    log.save()
    SlaOutcome.objects.bulk_create([o for o in outcomes if o is not None])

    _crisis_alert(conversations, plans, crisis_at)
    _hidden(inbound, conversations, users, rng)
    _listening(now, first_day, rng)
    # The few still waiting get their deadlines (the sweep flags the overdue ones).
    conversations_sla_update(conversations=[c for c in conversations if c.status == Conversation.Status.OPEN])
    from reports.keeping import reports_rebuild

    reports_rebuild()
    return len(conversations)


def _outcome(book: PolicyBook, conversation: Conversation, metric: str, minutes: int, completed: datetime):
    assert conversation.sla_policy is not None and conversation.first_inbound_at is not None
    calendar = book.calendar(conversation.sla_policy)
    start = conversation.first_inbound_at
    due = business_add(calendar, start, timedelta(minutes=minutes))
    return SlaOutcome(
        conversation=conversation,
        policy=conversation.sla_policy,
        metric=metric,
        started_at=start,
        due_at=due,
        completed_at=completed,
        business_seconds=int(business_elapsed(calendar, start, completed).total_seconds()),
        breached=completed > due,
    )


def _crisis_alert(conversations, plans, crisis_at: datetime) -> None:
    ids = [c.pk for c, plan in zip(conversations, plans, strict=True) if plan[5]]
    alert = CrisisAlert.objects.create(
        subject="accidente", count=len(ids), window_minutes=60, usual=0.4, conversation_ids=ids,
        last_seen_at=crisis_at + timedelta(hours=30), closed_at=crisis_at + timedelta(days=3),
    )  # fmt: skip
    CrisisAlert.objects.filter(pk=alert.pk).update(started_at=crisis_at)  # when it happened, not now


def _hidden(inbound, conversations, users, rng) -> None:
    """Two offensive comments on the Facebook page, hidden by the supervisor (never deleted)."""
    public = [m for m, c in zip(inbound, conversations, strict=True) if c.kind == Conversation.Kind.PUBLIC]
    log = events.Batch()
    for message in rng.sample(public, k=min(2, len(public))):
        message.hidden_at = message.created_at + timedelta(minutes=25)
        message.hidden_by = users["supervisor"]
        message.hidden_reason = "Insultos a una empleada"
        message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        log.hidden(message=message, by=users["supervisor"], reason=message.hidden_reason, at=message.hidden_at)
    log.save()


def _listening(now: datetime, first_day, rng) -> None:
    """Mentions of the brand and the competitor on X, a few a day."""
    from listening.models import Result, Watch

    watches = {w.kind: w for w in Watch.objects.filter(kind__in=["brand", "competitor", "keyword"])}
    rows: list = []
    for offset in range((now.date() - first_day).days):
        day = first_day + timedelta(days=offset)
        for kind, average in (("brand", 4), ("competitor", 3), ("keyword", 2)):
            watch = watches.get(kind)
            if watch is None:
                continue
            for k in range(rng.randint(0, 2 * average)):
                written = datetime.combine(day, time(rng.randint(8, 22), rng.randint(0, 59)), business_zone())
                post = f"9{offset:03d}{k:02d}{len(rows):05d}"
                rows.append(
                    Result(
                        watch=watch,
                        external_id=post,
                        thread_id=post,
                        author_id=f"u{k}",
                        author_handle=f"vecino{k}",
                        text=f"Mención de {watch.name} ({day:%d/%m})",
                        url=f"https://x.com/i/status/{post}",
                        written_at=written,
                    )
                )
    Result.objects.bulk_create(rows, ignore_conflicts=True)
