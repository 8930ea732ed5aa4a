"""Automatic assignment to whoever is on shift, the team queue, and handover at shift end.

Assignment for a team happens under the team's row lock: two workers assigning
at once take turns, and each counts the members' open conversations after the
other has committed, so nobody goes over capacity and no conversation is given
twice (conversations are also re-checked as unassigned under their own locks).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import Channel
from core.alerts import alerts_create
from core.db import rows_update
from core.models import Alert
from inbox import events
from inbox.models import Conversation, Message
from teams.models import Member, Team
from teams.rota import Rota, on_shift
from teams.services.rota import members_on_shift, rota_load, rotas_load, teams_for_channels

OPEN = (Conversation.Status.NEW, Conversation.Status.OPEN, Conversation.Status.WAITING)
# Open conversations still owed an answer: these are handed over at shift end.
AWAITING = (Conversation.Status.NEW, Conversation.Status.OPEN)


@dataclass
class AssignmentResult:
    assigned: dict[int, int] = field(default_factory=dict)  # conversation → user
    queued: list[int] = field(default_factory=list)


def _urgency_order(queryset):
    """Urgent and crisis first, then the nearest deadline, then the longest waiting."""
    return queryset.order_by(
        F("priority").desc(), F("sla_due_at").asc(nulls_last=True), F("waiting_since").asc(nulls_last=True), "pk"
    )


def conversations_assign(
    *, conversation_ids: Iterable[int], now: datetime | None = None, reason: str = "auto"
) -> AssignmentResult:
    """Give each unassigned open conversation to an on-shift member of the team
    that attends its channel; with nobody available it waits in the team queue."""
    now = now or timezone.now()
    teams = teams_for_channels()
    by_team: dict[int, list[int]] = defaultdict(list)
    for pk, channel_id, team_id in Conversation.objects.filter(
        pk__in=list(conversation_ids), assignee__isnull=True, status__in=OPEN
    ).values_list("pk", "channel_id", "team_id"):
        # A protocol rule may have sent it to a team; otherwise the channel's team takes it.
        if team_id or channel_id in teams:
            by_team[team_id or teams[channel_id].pk].append(pk)
    result = AssignmentResult()
    for team_id, ids in by_team.items():
        _assign_for_team(team_id, ids, now, reason, result)
    return result


def rota_tick(*, now: datetime | None = None) -> dict[str, int]:
    """The minute's rota work for every team: hand over what is left with people
    whose shift ended, then give the queue to whoever can take it.

    One look at everything first — the teams with their channels and members, every
    rota, the open loads, the team queues and what awaits an answer with someone off
    shift: seven queries whatever the number of teams. A team with nothing to hand
    over, and whose queue nobody on shift can take or is already queued, costs no
    further query and takes no lock; once a team does change something, the teams
    after it read afresh."""
    now = now or timezone.now()
    teams = list(
        Team.objects.order_by("pk").prefetch_related(
            # Ids only: a channel's credentials are not decrypted for nothing.
            Prefetch("channels", queryset=Channel.objects.only("pk")),
            Prefetch("members", queryset=Member.objects.select_related("user"), to_attr="members_now"),
        )
    )
    rotas = rotas_load(teams=teams, start=now, end=now)
    working = {team.pk: on_shift(rotas[team.pk], now) for team in teams}
    everyone = {m.user_id for team in teams for m in team.members_now}
    leaving_anywhere = {m.user_id for team in teams for m in team.members_now if m.pk not in working[team.pk]}
    snapshot: _Snapshot | None = _Snapshot(
        load=_open_load(everyone),
        queue=list(
            Conversation.objects.filter(assignee__isnull=True, status__in=OPEN).values_list(
                "pk", "team_id", "channel_id"
            )
        ),
        awaiting=list(
            Conversation.objects.filter(
                assignee_id__in=leaving_anywhere,
                status__in=AWAITING,
                waiting_since__isnull=False,
                assignment_held=False,
            ).values_list("pk", "assignee_id", "channel_id")
        ),
    )
    handed = assigned = 0
    for team in teams:
        channels = {c.pk for c in team.channels.all()}
        leaving = {m.user_id: m for m in team.members_now if m.pk not in working[team.pk]}
        if snapshot is None:
            stale = _stale(team, leaving)
        else:
            stale = [(pk, user) for pk, user, channel in snapshot.awaiting if user in leaving and channel in channels]
        if stale:
            handed += len(_handover(team, now, stale, leaving).assigned)
            snapshot = None
        if snapshot is None:
            result = team_queue_drain(team=team, now=now, rota=rotas[team.pk])
            assigned += len(result.assigned)
            continue
        queue = [(pk, t) for pk, t, channel in snapshot.queue if t == team.pk or (t is None and channel in channels)]
        on = [
            m
            for m in sorted(team.members_now, key=lambda m: m.pk)
            if m.pk in working[team.pk] and not m.away and m.user.is_active
        ]
        if not queue or (
            all(t == team.pk for _pk, t in queue) and all(snapshot.load.get(m.user_id, 0) >= m.capacity for m in on)
        ):
            continue
        result = AssignmentResult()
        _assign_for_team(team.pk, [pk for pk, _t in queue], now, "queue", result)
        assigned += len(result.assigned)
        snapshot = None
    return {"handed_over": handed, "assigned_from_queue": assigned}


@dataclass(frozen=True)
class _Snapshot:
    load: dict[int, int]  # user id → open conversations
    queue: list[tuple[int, int | None, int]]  # unassigned open conversations: id, team, channel
    awaiting: list[tuple[int, int, int]]  # awaiting an answer from someone off shift: id, assignee, channel


def _open_load(user_ids) -> dict[int, int]:
    return dict(
        Conversation.objects.filter(assignee_id__in=user_ids, status__in=OPEN)
        .values("assignee_id")
        .annotate(n=Count("*"))  # COUNT(*): read from the index alone
        .order_by()
        .values_list("assignee_id", "n")
    )


def team_queue_drain(*, team: Team, now: datetime | None = None, rota: Rota | None = None) -> AssignmentResult:
    """Assign what waits in the team's queue (or unassigned on its channels), most urgent first."""
    now = now or timezone.now()
    queue = list(
        Conversation.objects.filter(
            Q(team=team) | Q(team__isnull=True, channel__in=team.channels.all()),
            assignee__isnull=True,
            status__in=OPEN,
        ).values_list("pk", "team_id")
    )
    result = AssignmentResult()
    if not queue:
        return result
    if all(team_id == team.pk for _pk, team_id in queue) and not _anyone_free(team, now, rota):
        # Everything is already in this team's queue and nobody on shift has room:
        # nothing would change, so no lock is taken and no row is read twice.
        result.queued = [pk for pk, _team_id in queue]
        return result
    _assign_for_team(team.pk, [pk for pk, _team_id in queue], now, "queue", result)
    return result


def _anyone_free(team: Team, now: datetime, rota: Rota | None) -> bool:
    members = members_on_shift(team=team, now=now, rota=rota)
    load = _open_load([m.user_id for m in members]) if members else {}
    return any(load.get(m.user_id, 0) < m.capacity for m in members)


def _assign_for_team(team_id: int, ids: list[int], now: datetime, reason: str, result: AssignmentResult) -> None:
    if not ids:
        return
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team_id)
        members = members_on_shift(team=team, now=now)
        load = Counter(
            dict(
                Conversation.objects.filter(assignee_id__in=[m.user_id for m in members], status__in=OPEN)
                .values("assignee_id")
                .annotate(n=Count("pk"))
                .values_list("assignee_id", "n")
            )
        )
        conversations = list(
            _urgency_order(
                Conversation.objects.select_for_update(of=("self",), skip_locked=True).filter(
                    pk__in=ids, assignee__isnull=True, status__in=OPEN
                )
            )
        )
        changed: list[Conversation] = []
        log, alerts = events.Batch(), Counter[int]()
        for conversation in conversations:
            member = _pick(team, members, load)
            if member is None:
                if conversation.team_id != team.pk:
                    conversation.team = team
                    changed.append(conversation)
                    log.queued(conversation=conversation, team_id=team.pk)
                result.queued.append(conversation.pk)
                continue
            load[member.user_id] += 1
            team.last_assigned = member
            conversation.assignee_id = member.user_id
            conversation.team = team
            changed.append(conversation)
            log.assigned(
                conversation=conversation,
                assignee_id=member.user_id,
                previous_assignee_id=None,
                reason=reason,
                team_id=team.pk,
            )
            alerts[member.user_id] += 1
            result.assigned[conversation.pk] = member.user_id
        rows_update(Conversation, changed, ["assignee", "team"])
        log.save()
        team.save(update_fields=["last_assigned"])
        _notify_assigned(alerts, result, reason)


def _pick(team: Team, members: list[Member], load: Counter) -> Member | None:
    free = [m for m in members if load[m.user_id] < m.capacity]
    if not free:
        return None
    if team.strategy == Team.Strategy.ROUND_ROBIN:
        after = [m for m in free if team.last_assigned_id is not None and m.pk > team.last_assigned_id]
        return (after or free)[0]
    return min(free, key=lambda m: (load[m.user_id], m.pk))


def _notify_assigned(counts: Counter, result: AssignmentResult, reason: str) -> None:
    if reason == "handover":
        return  # the handover sends its own summary
    by_user: dict[int, list[int]] = defaultdict(list)
    for conversation_id, user_id in result.assigned.items():
        by_user[user_id].append(conversation_id)
    alerts_create(
        alerts=(
            Alert(
                recipient_id=user_id,
                kind=Alert.Kind.ASSIGNED,
                conversation_id=ids[0] if len(ids) == 1 else None,
                text=(
                    _("New conversation assigned to you")
                    if len(ids) == 1
                    else _("%(count)s new conversations assigned to you") % {"count": len(ids)}
                ),
            )
            for user_id, ids in by_user.items()
            if counts[user_id]
        )
    )


def shift_handover(*, team: Team, now: datetime | None = None, rota: Rota | None = None) -> AssignmentResult:
    """Pass the open, unanswered conversations of members who are off shift now
    to whoever is on, each with an internal note; each receiver gets a summary.
    ``rota``: the team's rota, when the caller has loaded it already."""
    now = now or timezone.now()
    rota = rota or rota_load(team=team, start=now, end=now)
    working = on_shift(rota, now)
    leaving = {m.user_id: m for m in team.members.select_related("user") if m.pk not in working}
    stale = _stale(team, leaving) if leaving else []
    return _handover(team, now, stale, leaving) if stale else AssignmentResult()


def _stale(team: Team, leaving: dict[int, Member]) -> list[tuple[int, int]]:
    """(conversation, assignee) awaiting an answer on the team's channels from someone
    leaving; what a supervisor assigned by hand stays where it is."""
    return list(
        Conversation.objects.filter(
            channel__in=team.channels.all(),
            assignee_id__in=leaving,
            status__in=AWAITING,
            waiting_since__isnull=False,
            assignment_held=False,
        ).values_list("pk", "assignee_id")
    )


def _handover(team: Team, now: datetime, stale: list[tuple[int, int]], leaving: dict[int, Member]) -> AssignmentResult:
    with transaction.atomic():
        previous = dict(stale)
        Conversation.objects.filter(pk__in=previous, assignee_id__in=leaving, assignment_held=False).update(
            assignee=None
        )
        result = AssignmentResult()
        _assign_for_team(team.pk, list(previous), now, "handover", result)
        _handover_record(team, previous, result, leaving)
    return result


def _handover_record(
    team: Team, previous: dict[int, int], result: AssignmentResult, leaving: dict[int, Member]
) -> None:
    notes, log = [], events.Batch()
    conversations = Conversation.objects.in_bulk(list(previous))
    received: dict[int, Counter] = defaultdict(Counter)
    for pk, from_user in previous.items():
        to_user = result.assigned.get(pk)
        giver = str(leaving[from_user])
        conversation = conversations[pk]
        if to_user:
            received[to_user][giver] += 1
            body = _("Shift handover: from %(from)s, whose shift ended.") % {"from": giver}
        else:
            body = _("Shift handover: %(from)s's shift ended and nobody is on shift; waiting in the team queue.") % {
                "from": giver
            }
        notes.append(
            Message(
                conversation=conversation,
                channel_id=conversation.channel_id,
                direction=Message.Direction.NOTE,
                body=body,
                created_at=timezone.now(),
            )
        )
        log.handed_over(conversation=conversation, from_user_id=from_user, to_user_id=to_user, team_id=team.pk)
    Message.objects.bulk_create(notes)
    log.save()
    alerts_create(
        alerts=(
            Alert(
                recipient_id=user_id,
                kind=Alert.Kind.HANDOVER,
                text=_("Handed over to you at the start of your shift: %(summary)s")
                % {"summary": ", ".join(f"{n} × {giver}" for giver, n in givers.items())},
            )
            for user_id, givers in received.items()
        )
    )
