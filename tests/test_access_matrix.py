"""Every URL pattern × every method × every persona, against a table.

The URLconf is walked recursively, so a new URL is tested the day it is added:
without a row in ``TABLE`` (or a namespace rule in ``NAMESPACES``) this test
fails and says which row to add. Each request runs in a transaction that is
rolled back, so a DELETE by one persona leaves the object for the next.

Outcomes are classes, not exact codes:

- ``refused``: 401, 403, or a redirect to a login page;
- ``allowed``: any other answer below 500 but 404 and 405 (a form with errors,
  a 400 for an empty body and a redirect after a POST all mean the role let the
  request through);
- ``absent``: 405, the view does not take that method.

A method a row does not list must be refused or absent, except for someone
who may GET the URL: Django's form views answer PUT or DELETE as a GET.

A 500 or a 404 (every object in the path exists) always fails.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from channels.models import InboundEvent
from core.models import Alert
from inbox.models import Contact, Message, Person
from listening.models import Result, Watch
from protocols.models import (
    AuthorList,
    BusinessCalendar,
    CannedReply,
    CaseProposal,
    Category,
    CrisisAlert,
    EscalationRule,
    ProtocolChange,
    ReplyCheck,
    Rule,
    SensitiveTopic,
    SlaPolicy,
)
from quality.models import Review, ReviewItem
from teams.models import Absence, ExtraShift, Member, PublicHoliday, Shift, Team
from tests.factories import ChannelFactory, ConversationFactory, InboundMessageFactory

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "outsider", "gestor", "supervisor", "cm", "owner")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Who may, by role.
ANYONE = frozenset(PERSONAS)
READ = frozenset({"gestor", "supervisor", "cm", "owner"})
REPLY = frozenset({"gestor", "supervisor", "cm"})
ASSIGN = frozenset({"supervisor", "cm"})
CM = frozenset({"cm"})
REVIEWED = frozenset({"gestor"})  # the person a review is about, and nobody else
NOBODY = frozenset()


@dataclass(frozen=True)
class Row:
    """Which personas a URL lets through, per method; methods not listed must
    be refused or absent for everyone. ``public``: the answer does not depend
    on who asks (same status class for every persona, anonymous included)."""

    methods: dict[str, frozenset[str]] = field(default_factory=dict)
    public: bool = False
    why: str = ""


def public(*methods: str, why: str) -> Row:
    return Row(methods=dict.fromkeys(methods, ANYONE), public=True, why=why)


def crud(read=READ, write=CM, *, detail: bool) -> Row:
    """A DRF model viewset: list/create, or retrieve/update/partial update/destroy."""
    if detail:
        return Row({"GET": read, "PUT": write, "PATCH": write, "DELETE": write})
    return Row({"GET": read, "POST": write})


def crud_no_delete(read=READ, write=CM, *, detail: bool) -> Row:
    row = crud(read, write, detail=detail)
    return Row({m: who for m, who in row.methods.items() if m != "DELETE"})


TABLE: dict[str, Row] = {
    # --- Intentionally public: signing in, password reset, language, health, webhooks.
    "login": public("GET", "POST", why="the sign-in page"),
    "logout": public("POST", why="signing out is harmless for anyone"),
    "accounts:two-factor-code": public("GET", "POST", why="the second step of signing in, before any role is known"),
    "accounts:password-reset": public("GET", "POST", why="forgot password: same answer for any address"),
    "accounts:password-reset-done": public("GET", why="static confirmation page"),
    "accounts:password-reset-complete": public("GET", why="static confirmation page"),
    "accounts:password-reset-confirm": public("GET", "POST", why="the link in the e-mail, checked by its token"),
    "set_language": public("POST", why="the ES/EN switch, also on the login page"),
    "healthz": public("GET", why="load balancers; details only to staff or with the health token"),
    "webhooks:x": public("GET", "POST", why="X deliveries and CRC, authenticated by signature"),
    "webhooks:meta": public("GET", "POST", why="Meta deliveries and handshake, authenticated by signature"),
    "webhooks:receive": public("POST", why="channel deliveries, authenticated by signature"),
    "api-token": public("POST", why="exchanging a password for a token"),
    # --- The signed-in user's own security settings: any role.
    "accounts:security": Row({"GET": READ}),
    "accounts:two-factor-setup": Row({"GET": READ, "POST": READ}),
    "accounts:two-factor-disable": Row({"POST": READ}),
    "accounts:backup-codes": Row({"POST": READ}),
    "accounts:password-change": Row({"GET": READ, "POST": READ}),
    "api-token-revoke": Row({"POST": READ}),
    # --- Inbox pages.
    "inbox:list": Row({"GET": READ}),
    "inbox:live": Row({"GET": READ}),
    "inbox:detail": Row({"GET": READ}),
    "inbox:reply": Row({"POST": REPLY}),
    "inbox:presence": Row({"GET": READ}),
    "inbox:note": Row({"POST": REPLY}),
    "inbox:assign": Row({"POST": ASSIGN}),
    "inbox:resolve": Row({"POST": REPLY}),
    "inbox:reopen": Row({"POST": REPLY}),
    "inbox:reclassify": Row({"POST": REPLY}),
    "inbox:bulk": Row({"POST": REPLY}),
    "inbox:saved-view": Row({"POST": READ}),
    "supervision": Row({"GET": ASSIGN}),
    "inbox:assignees": Row({"GET": ASSIGN}),
    "inbox:message": Row({"GET": READ}),
    # Stored pictures of customers: people with a role (or a signed link, tested in tests/inbox).
    "inbox:media": Row({"GET": READ}),
    # The weekly report: every role reads (a gestor sees their teams and their own row).
    "reports:weekly": Row({"GET": READ}),
    "reports:csv": Row({"GET": READ}),
    "reports:email-choice": Row({"POST": READ}),
    "api-report-weekly": Row({"GET": READ}),
    "inbox:retry": Row({"POST": REPLY}),
    "inbox:hide": Row({"POST": ASSIGN}),
    # --- Quality review: supervisors and the CM review; the reviewed person (the gestor persona) acknowledges.
    "quality:queue": Row({"GET": ASSIGN}),
    "quality:review": Row({"GET": ASSIGN, "POST": ASSIGN}),
    "quality:mine": Row({"GET": READ}),
    "quality:acknowledge": Row({"POST": REVIEWED}),
    "quality:rubric": Row({"GET": CM, "POST": CM}),
    "inbox:person": Row({"GET": READ}),
    "inbox:person-merge": Row({"POST": REPLY}),
    "inbox:person-split": Row({"POST": REPLY}),
    "inbox:person-note": Row({"POST": REPLY}),
    "inbox:contact-person": Row({"GET": READ}),
    # --- Channel pages.
    "channels:list": Row({"GET": READ}),
    "channels:create": Row({"GET": CM, "POST": CM}),
    "channels:detail": Row({"GET": READ}),
    "channels:edit": Row({"GET": CM, "POST": CM}),
    "channels:replay": Row({"POST": CM}),
    # --- Protocol pages.
    "protocols:rules": Row({"GET": READ}),
    "protocols:rule-create": Row({"GET": CM, "POST": CM}),
    "protocols:rule-edit": Row({"GET": CM, "POST": CM}),
    "protocols:rule-try": Row({"POST": CM}),
    "protocols:slas": Row({"GET": READ}),
    "protocols:sla-create": Row({"GET": CM, "POST": CM}),
    "protocols:sla-edit": Row({"GET": CM, "POST": CM}),
    "protocols:calendar-create": Row({"GET": CM, "POST": CM}),
    "protocols:calendar-edit": Row({"GET": CM, "POST": CM}),
    "protocols:escalation-create": Row({"GET": CM, "POST": CM}),
    "protocols:escalation-edit": Row({"GET": CM, "POST": CM}),
    "protocols:authorlist-create": Row({"GET": CM, "POST": CM}),
    "protocols:authorlist-edit": Row({"GET": CM, "POST": CM}),
    "protocols:crisis-close": Row({"POST": ASSIGN}),
    "protocols:manual": Row({"GET": READ}),
    "protocols:manual-category": Row({"GET": READ}),
    "protocols:category-edit": Row({"GET": CM, "POST": CM}),
    "protocols:canned": Row({"GET": READ}),
    "protocols:canned-create": Row({"GET": CM, "POST": CM}),
    "protocols:canned-edit": Row({"GET": CM, "POST": CM}),
    "protocols:check-edit": Row({"GET": CM, "POST": CM}),
    "protocols:topic-create": Row({"GET": CM, "POST": CM}),
    "protocols:topic-edit": Row({"GET": CM, "POST": CM}),
    "protocols:history": Row({"GET": READ}),
    "protocols:canned-for": Row({"GET": REPLY}),
    "protocols:checks": Row({"POST": REPLY}),
    "protocols:propose": Row({"GET": REPLY, "POST": REPLY}),
    "protocols:decide": Row({"POST": CM}),
    # --- Teams pages.
    "teams:list": Row({"GET": READ}),
    "teams:create": Row({"GET": ASSIGN, "POST": ASSIGN}),
    "teams:edit": Row({"GET": ASSIGN, "POST": ASSIGN}),
    "teams:rota": Row({"GET": READ, "POST": ASSIGN}),
    "teams:row-delete": Row({"POST": ASSIGN}),
    "teams:member-edit": Row({"GET": ASSIGN, "POST": ASSIGN}),
    # --- Listening pages.
    "listening:stream": Row({"GET": READ}),
    "listening:watch-create": Row({"GET": CM, "POST": CM}),
    "listening:watch-edit": Row({"GET": CM, "POST": CM}),
    "listening:to-inbox": Row({"POST": REPLY}),
    # --- Alerts pages.
    "alerts:list": Row({"GET": READ}),
    "alerts:read": Row({"POST": READ}),
    # --- API: schema and docs need a role too.
    "api-schema": Row({"GET": READ}),
    "api-docs": Row({"GET": READ}),
    "api-root": Row({"GET": READ}),
    "api-message-retry": Row({"POST": REPLY}),
    "channel-list": crud_no_delete(detail=False),
    "channel-detail": crud_no_delete(detail=True),
    "conversation-list": Row({"GET": READ}),
    "conversation-detail": Row({"GET": READ}),
    "conversation-assign": Row({"POST": ASSIGN}),
    "conversation-assignments": Row({"GET": READ}),
    "conversation-notes": Row({"POST": REPLY}),
    "conversation-reopen": Row({"POST": REPLY}),
    "conversation-reply": Row({"POST": REPLY}),
    "conversation-resolve": Row({"POST": REPLY}),
    "person-list": Row({"GET": READ}),
    "person-detail": Row({"GET": READ}),
    "person-merge": Row({"POST": REPLY}),
    "person-split": Row({"POST": REPLY}),
    "person-notes": Row({"POST": REPLY}),
    "category-list": crud(detail=False),
    "category-detail": crud(detail=True),
    "rule-list": crud(detail=False),
    "rule-try-rule": Row({"POST": CM}),
    "rule-detail": crud(detail=True),
    "calendar-list": crud(detail=False),
    "calendar-detail": crud(detail=True),
    "sla-policy-list": crud(detail=False),
    "sla-policy-detail": crud(detail=True),
    "escalation-rule-list": crud(detail=False),
    "escalation-rule-detail": crud(detail=True),
    "author-list-list": crud(detail=False),
    "author-list-detail": crud(detail=True),
    "canned-reply-list": crud(detail=False),
    "canned-reply-detail": crud(detail=True),
    "reply-check-list": Row({"GET": READ}),
    "reply-check-check": Row({"POST": REPLY}),
    "reply-check-detail": Row({"GET": READ, "PUT": CM, "PATCH": CM}),
    "sensitive-topic-list": crud(detail=False),
    "sensitive-topic-detail": crud(detail=True),
    "protocol-change-list": Row({"GET": READ}),
    "protocol-change-detail": Row({"GET": READ}),
    "case-proposal-list": Row({"GET": REPLY, "POST": REPLY}),
    "case-proposal-detail": Row({"GET": REPLY}),
    "case-proposal-decide": Row({"POST": CM}),
    "review-list": Row({"GET": READ, "POST": ASSIGN}),  # a gestor lists only their own
    "review-detail": Row({"GET": READ}),  # the review in the table is the gestor persona's
    "review-acknowledge": Row({"POST": REVIEWED}),
    "review-queue-list": Row({"GET": ASSIGN}),
    "review-queue-detail": Row({"GET": ASSIGN}),
    "review-criterion-list": Row({"GET": READ}),
    "alert-list": Row({"GET": READ}),
    "alert-read": Row({"POST": READ}),
    "watch-list": crud(detail=False),
    "watch-stats": Row({"GET": READ}),
    "watch-detail": crud(detail=True),
    "listening-result-list": Row({"GET": READ}),
    "listening-result-detail": Row({"GET": READ}),
    "listening-result-to-inbox": Row({"POST": REPLY}),
    "team-list": crud(write=ASSIGN, detail=False),
    "team-detail": crud(write=ASSIGN, detail=True),
    "team-on-shift": Row({"GET": READ}),
    "member-list": Row({"GET": READ}),  # members are made on the team page
    "member-detail": crud_no_delete(write=ASSIGN, detail=True),
    "shift-list": crud(write=ASSIGN, detail=False),
    "shift-detail": crud(write=ASSIGN, detail=True),
    "extra-shift-list": crud(write=ASSIGN, detail=False),
    "extra-shift-detail": crud(write=ASSIGN, detail=True),
    "absence-list": crud(write=ASSIGN, detail=False),
    "absence-detail": crud(write=ASSIGN, detail=True),
    "public-holiday-list": crud(write=ASSIGN, detail=False),
    "public-holiday-detail": crud(write=ASSIGN, detail=True),
}

# Whole namespaces with one rule. The Django admin is for staff users only and
# checks Django permissions itself (tests/test_admin_permissions.py); none of
# the personas is staff, so every admin page refuses them all but the admin's
# own sign-in and sign-out.
NAMESPACES: dict[str, Row] = {"admin": Row()}
# The admin lets in by the staff flag, not by role: the ends of the range of
# personas (nobody, no role, the highest role) stand for all of them there.
ADMIN_PERSONAS = {"anonymous", "outsider", "cm"}
NAMESPACE_EXCEPTIONS: dict[str, Row] = {
    "admin:login": public("GET", "POST", why="the admin's sign-in page"),
    "admin:logout": public("POST", why="signing out"),
}


def row_for(name: str) -> Row | None:
    if name in TABLE:
        return TABLE[name]
    if name in NAMESPACE_EXCEPTIONS:
        return NAMESPACE_EXCEPTIONS[name]
    namespace = name.split(":", 1)[0] if ":" in name else None
    return NAMESPACES.get(namespace) if namespace else None


@dataclass(frozen=True)
class Pattern:
    name: str
    route: str
    regex: str
    converters: tuple[str, ...]


def walk(patterns, prefix: str = "", namespace: str | None = None):
    """Every URLPattern below ``patterns``, with its namespaced name and full route."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed {prefix}{entry.pattern}>"
            full = f"{namespace}:{name}" if namespace else name
            args = tuple(re.findall(r"\(\?P<(\w+)>", entry.pattern.regex.pattern)) + tuple(
                getattr(entry.pattern, "converters", {}).keys()
            )
            yield Pattern(full, prefix + str(entry.pattern), entry.pattern.regex.pattern, args)


ALL_PATTERNS = list(walk(get_resolver().url_patterns))


def test_every_url_has_a_row():
    missing = sorted({p.name for p in ALL_PATTERNS if row_for(p.name) is None})
    assert not missing, (
        "URL patterns with no row in tests/test_access_matrix.py: add them to the table, "
        f"saying which roles may use each method: {missing}"
    )


def test_every_row_has_a_url():
    names = {p.name for p in ALL_PATTERNS}
    stale = sorted(set(TABLE) - names)
    assert not stale, f"Rows for URLs that no longer exist: {stale}"


@pytest.fixture
def objects(db, conversation, gestor, gestor2, supervisor, cm, owner, outsider, settings):
    """One of everything a path can name."""
    settings.MOSTRADOR_2FA_REQUIRED_ROLES = []
    now = timezone.now()
    channel = conversation.channel
    x_channel = ChannelFactory(kind="fake", key="fake-matrix", credentials={"secret": "s"})
    inbound = conversation.messages.get(direction=Message.Direction.IN)
    failed = Message.objects.create(
        conversation=conversation,
        channel=channel,
        direction=Message.Direction.OUT,
        body="Hola",
        sender=gestor,
        created_at=now,
        delivery_status=Message.DeliveryStatus.FAILED,
        idempotency_key=uuid.uuid4(),
    )
    category = Category.objects.order_by("pk").first()
    calendar = BusinessCalendar.objects.order_by("pk").first() or BusinessCalendar.objects.create(name="24/7")
    team = Team.objects.create(name="Atención", time_zone="Europe/Madrid")
    team.channels.add(channel)
    member = Member.objects.create(user=gestor)
    team.members.add(member)
    watch = Watch.objects.create(name="Marca", query="espiga", channel=x_channel)
    sent = Message.objects.create(
        conversation=conversation,
        channel=channel,
        direction=Message.Direction.OUT,
        body="Hola, lo miramos",
        sender=gestor,
        created_at=now,
        sent_at=now,
        delivery_status=Message.DeliveryStatus.SENT,
        idempotency_key=uuid.uuid4(),
    )
    review_item = ReviewItem.objects.create(
        message=sent, conversation=conversation, gestor=gestor, monday=date(2030, 1, 7), reason="sample"
    )
    reviewed_item = ReviewItem.objects.create(
        message=failed, conversation=conversation, gestor=gestor, monday=date(2030, 1, 7), reason="sample",
        status="reviewed",
    )  # fmt: skip
    review = Review.objects.create(
        item=reviewed_item, gestor=gestor, reviewer=supervisor, monday=date(2030, 1, 7), scores=[], score=0.5
    )
    person = Person.objects.create(display_name="Rosa")
    Contact.objects.filter(pk=conversation.contact_id).update(person=person)
    proposal = CaseProposal.objects.create(
        category=category, conversation=conversation, text="Caso", proposed_by=gestor
    )
    return {
        "conversation": conversation,
        "inbound": inbound,
        "failed": failed,
        "channel": channel,
        "event": InboundEvent.objects.create(channel=channel, kind=channel.kind, body=b"{}", status="failed"),
        "category": category,
        "rule": Rule.objects.create(name="Regla", keywords="hola", category=category),
        "calendar": calendar,
        "sla": SlaPolicy.objects.order_by("pk").first(),
        "escalation": EscalationRule.objects.order_by("pk").first(),
        "authorlist": AuthorList.objects.create(name="Prensa", handles="@diario"),
        "crisis": CrisisAlert.objects.create(subject="pista", count=5, window_minutes=60, usual=0.5, last_seen_at=now),
        "canned": CannedReply.objects.create(title="Saludo", slug="saludo", body="Hola {contact_name}"),
        "check": ReplyCheck.objects.order_by("pk").first() or ReplyCheck.objects.create(kind="tone"),
        "topic": SensitiveTopic.objects.create(name="Accidentes", words="accidente"),
        "change": ProtocolChange.objects.create(model="rule", object_id=1, object_repr="Regla", action="created"),
        "proposal": proposal,
        "review_item": review_item,
        "review": review,
        "team": team,
        "member": member,
        "shift": Shift.objects.create(team=team, member=member, weekday=0, starts=time(9), ends=time(17)),
        "extra": ExtraShift.objects.create(team=team, member=member, starts_at=now, ends_at=now + timedelta(hours=2)),
        "absence": Absence.objects.create(member=member, first_day=date(2030, 1, 1), last_day=date(2030, 1, 2)),
        "holiday": PublicHoliday.objects.create(team=team, date=date(2030, 1, 6), name="Reyes"),
        "watch": watch,
        "contact": conversation.contact,
        "person": person,
        "result": Result.objects.create(
            watch=watch,
            external_id="1",
            thread_id="1",
            author_id="9",
            author_handle="@rosa",
            text="¿Abrís?",
            url="https://x.com/rosa/status/1",
            written_at=now,
        ),
        "alert": Alert.objects.create(recipient=gestor, kind="assigned", conversation=conversation, text="Para ti"),
        "users": {"gestor": gestor, "supervisor": supervisor, "cm": cm, "owner": owner, "outsider": outsider},
        "second_conversation": InboundMessageFactory(conversation=ConversationFactory(channel=channel)).conversation,
        "media": default_storage.save(f"matrix/{uuid.uuid4().hex}.png", ContentFile(b"\x89PNG")),
    }


# Which object fills ``pk`` in each URL (by name, or by the name's prefix).
PK_OF = {
    "inbox:message": "failed",
    "inbox:retry": "failed",
    "inbox:hide": "inbound",
    "api-message-retry": "failed",
    "channels:replay": "event",
    "protocols:rule-edit": "rule",
    "protocols:sla-edit": "sla",
    "protocols:calendar-edit": "calendar",
    "protocols:escalation-edit": "escalation",
    "protocols:authorlist-edit": "authorlist",
    "protocols:crisis-close": "crisis",
    "protocols:canned-edit": "canned",
    "protocols:check-edit": "check",
    "protocols:topic-edit": "topic",
    "protocols:decide": "proposal",
    "quality:review": "review_item",
    "quality:acknowledge": "review",
    "teams:member-edit": "member",
    "listening:watch-edit": "watch",
    "listening:to-inbox": "result",
    "inbox:person": "person",
    "inbox:person-merge": "person",
    "inbox:person-split": "person",
    "inbox:person-note": "person",
    "inbox:contact-person": "contact",
    "inbox:": "conversation",
    "protocols:": "conversation",
    "channels:": "channel",
    "teams:": "team",
    "channel-": "channel",
    "conversation-": "conversation",
    "person-": "person",
    "category-": "category",
    "rule-": "rule",
    "calendar-": "calendar",
    "sla-policy-": "sla",
    "escalation-rule-": "escalation",
    "author-list-": "authorlist",
    "canned-reply-": "canned",
    "reply-check-": "check",
    "sensitive-topic-": "topic",
    "protocol-change-": "change",
    "case-proposal-": "proposal",
    "review-queue-": "review_item",
    "review-": "review",
    "watch-": "watch",
    "listening-result-": "result",
    "team-": "team",
    "member-": "member",
    "shift-": "shift",
    "extra-shift-": "extra",
    "absence-": "absence",
    "public-holiday-": "holiday",
}


def object_for(name: str, objects: dict[str, Any]):
    if name in PK_OF:
        return objects[PK_OF[name]]
    if name.startswith("admin:"):
        return objects["conversation"]  # refused before the object is looked up
    for prefix in sorted((k for k in PK_OF if k.endswith((":", "-"))), key=len, reverse=True):
        if name.startswith(prefix):
            return objects[PK_OF[prefix]]
    raise AssertionError(f"say in PK_OF which object fills the path of {name}")


def path_of(pattern: Pattern, objects: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {}
    for arg in pattern.converters:
        if arg == "pk":
            kwargs["pk"] = object_for(pattern.name, objects).pk
        elif arg == "slug":
            kwargs["slug"] = objects["category"].slug
        elif arg == "format":
            kwargs["format"] = "json"
        elif arg == "kind" and pattern.name == "webhooks:receive":
            kwargs["kind"] = objects["channel"].kind
        elif arg == "key":
            kwargs["key"] = objects["channel"].key
        elif arg == "kind":
            kwargs["kind"] = "shift"
        elif arg == "row":
            kwargs["row"] = objects["shift"].pk
        elif arg == "uidb64":
            kwargs["uidb64"] = urlsafe_base64_encode(force_bytes(objects["users"]["gestor"].pk))
        elif arg == "token":
            kwargs["token"] = default_token_generator.make_token(objects["users"]["gestor"])
        elif arg == "url":
            continue
        elif arg == "table":
            kwargs["table"] = "channels"
        elif arg == "path":
            kwargs["path"] = objects["media"]
        elif arg == "object_id":
            kwargs["object_id"] = str(objects["conversation"].pk)
        elif arg == "id":
            kwargs["id"] = objects["users"]["gestor"].pk
        elif arg == "content_type_id":
            kwargs["content_type_id"] = 1
        elif arg == "app_label":
            kwargs["app_label"] = re.search(r"\(\?P<app_label>([\w]+)", pattern.regex).group(1)
        else:
            raise AssertionError(f"fill the path argument {arg!r} of {pattern.name} in path_of()")
    if "<unnamed" in pattern.name:
        # Only the admin's own redirects and catch-all have no name: fill the route by hand.
        path = pattern.route.replace("(?P<url>.*)$", "no-such-page/")
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), path)
    return reverse(pattern.name, kwargs=kwargs or None)


def outcome(response) -> str:
    code = response.status_code
    if code >= 500:
        return f"error {code}"
    if code in (401, 403):
        return "refused"
    if code in (301, 302) and "/login/" in response.get("Location", ""):
        return "refused"
    if code == 405:
        return "absent"
    if code == 404:
        return "missing"
    return "allowed"


def request(client, method: str, path: str):
    """One request in a transaction rolled back afterwards, with the client's
    cookies put back (signing out or switching language must not leak into
    the next request)."""
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    with transaction.atomic():
        response = client.generic(method, path, data=b"", content_type="application/x-www-form-urlencoded")
        transaction.set_rollback(True)
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies[name] = value
    return response


def unique_patterns():
    seen = set()
    for pattern in ALL_PATTERNS:
        key = (pattern.name, pattern.route)
        if key not in seen and row_for(pattern.name) is not None:
            seen.add(key)
            yield pattern


def methods_to_try(pattern: Pattern, row: Row) -> tuple[str, ...]:
    """Every method, but for the admin's pages and the API's format-suffix twins
    (``/channels.json``: the same view as ``/channels/``, tried with every
    method there), whose views take GET and POST at most: those, and the
    row's own, keep the run short."""
    if pattern.name.startswith("admin:") or "(?P<format>" in pattern.regex:
        return tuple(m for m in METHODS if m in {"GET", "POST"} | set(row.methods))
    return METHODS


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(persona, objects, client):
    """Every pattern and method answers ``persona`` as the table says."""
    client.raise_request_exception = False  # a 500 is an outcome to report, with the rest
    if persona != "anonymous":
        client.force_login(objects["users"][persona])
    wrong = []
    for pattern in unique_patterns():
        if pattern.name.startswith("admin:") and persona not in ADMIN_PERSONAS:
            continue
        row = row_for(pattern.name)
        path = path_of(pattern, objects)
        for method in methods_to_try(pattern, row):
            got = outcome(request(client, method, path))
            if row.public:
                # Who asks does not matter; the view must take the methods listed.
                expected = {"allowed", "refused"} if method in row.methods else {"allowed", "refused", "absent"}
            elif persona in row.methods.get(method, NOBODY):
                expected = {"allowed"}
            elif method in row.methods:
                expected = {"refused"}
            elif persona in row.methods.get("GET", NOBODY):
                # Page views answer a method they do not handle as a GET: no
                # more than a read, for someone who may read.
                expected = {"refused", "absent", "allowed"}
            else:
                expected = {"refused", "absent"}
            if got not in expected:
                wrong.append(f"{method} {path} ({pattern.name}): {got}, expected {' or '.join(sorted(expected))}")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)
