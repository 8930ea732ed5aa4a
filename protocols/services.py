"""The protocol at work: classify new inbound messages, test and save rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.db import rows_update
from inbox import events
from inbox.models import Conversation, Message
from protocols.matching import Condition, Match, author_keys, fold, match, words_of
from protocols.models import Rule
from protocols.sentiment import sentiment_score

BACKTEST_DAYS = 30
BACKTEST_LIMIT = 50_000


def rule_condition(rule: Rule) -> Condition:
    author_list = rule.author_list
    return Condition(
        keywords=tuple(rule.keyword_list),
        pattern=rule.pattern,
        channel_id=rule.channel_id,
        visibility=rule.visibility,
        authors=author_list.handle_set if author_list else None,
        authors_label=f"{author_list.get_kind_display()}: {author_list.name}" if author_list else "",
        sentiment_below=rule.sentiment_below,
    )


def active_rules() -> list[tuple[Rule, Condition]]:
    rules = Rule.objects.filter(active=True).select_related("category", "author_list")
    return [(rule, rule_condition(rule)) for rule in rules]


def _author_of(message: Message) -> frozenset[str]:
    contact = message.author_contact
    if contact is None:
        return frozenset()
    return author_keys(contact.handle, contact.email, contact.external_id)


class _Lazy:
    """A value computed on first call and remembered (a message's sentiment)."""

    def __init__(self, function, *args):
        self._function, self._args, self._value = function, args, None

    def __call__(self):
        if self._value is None:
            self._value = self._function(*self._args)
        return self._value


@dataclass(frozen=True)
class Classified:
    changed: list[Conversation]
    crisis: list[Conversation]  # newly put in a crisis category


def messages_classify(
    *, messages: list[Message], rules: list[tuple[Rule, Condition]] | None = None, save: bool = True
) -> Classified:
    """Apply the first matching active rule to the conversation of each new inbound message.

    A rule never lowers what is already there: the category changes only to one
    of equal or higher priority, the priority only goes up, tags add up. The
    caller holds the conversations' locks. Logs the classification, and saves
    it unless ``save`` is false (the caller saves ``CLASSIFICATION_FIELDS``).
    """
    inbound = [m for m in messages if m.direction == Message.Direction.IN]
    rules = active_rules() if rules is None and inbound else (rules or [])
    if not inbound or not rules:
        return Classified(changed=[], crisis=[])
    wants_sentiment = any(condition.sentiment_below is not None for _rule, condition in rules)
    changed: dict[int, Conversation] = {}
    crisis: dict[int, Conversation] = {}
    log = events.Batch()
    for message in inbound:
        conversation = message.conversation
        was_crisis = conversation.category is not None and conversation.category.slug == CRISIS
        author = _author_of(message)
        sentiment = _Lazy(sentiment_score, message.body) if wants_sentiment else None
        folded = fold(message.body)
        words = words_of(folded)
        for rule, condition in rules:
            found = match(
                condition,
                text=message.body,
                channel_id=message.channel_id,
                is_private=conversation.is_private,
                author=author,
                sentiment=sentiment,
                folded=folded,
                words=words,
            )
            if found is None:
                continue
            if _apply(conversation, rule, found):
                changed[conversation.pk] = conversation
                log.classified(
                    conversation=conversation,
                    rule_id=rule.pk,
                    rule=rule.name,
                    reason=found.reason,
                    message_id=message.pk,
                )
                if not was_crisis and conversation.category and conversation.category.slug == CRISIS:
                    crisis[conversation.pk] = conversation
            break
    if changed and save:
        rows_update(Conversation, changed.values(), CLASSIFICATION_FIELDS)
    log.save()
    return Classified(changed=list(changed.values()), crisis=list(crisis.values()))


CRISIS = "crisis"
CLASSIFICATION_FIELDS = ["category", "priority", "tags", "matched_rule", "match_reason", "requires_reply", "team"]


def _apply(conversation: Conversation, rule: Rule, found: Match) -> bool:
    fields = ("category_id", "priority", "tags", "matched_rule_id", "requires_reply", "team_id")
    before = tuple(getattr(conversation, f) for f in fields)
    current = conversation.category
    if rule.category and (current is None or rule.category.priority >= current.priority):
        conversation.category = rule.category
    if rule.priority and rule.priority > conversation.priority:
        conversation.priority = rule.priority
    conversation.tags = sorted({*conversation.tags, *rule.tags})
    conversation.matched_rule = rule
    conversation.match_reason = f"{rule.name}: {found.reason}"[:300]
    if rule.team_id:
        conversation.team_id = rule.team_id
    if rule.requires_reply is not None:
        conversation.requires_reply = rule.requires_reply
    elif conversation.category is not None:
        conversation.requires_reply = conversation.category.requires_reply
    return before != tuple(getattr(conversation, f) for f in fields)


@dataclass(frozen=True)
class RuleTrial:
    """What a rule would do, before it is saved."""

    sample_match: Match | None
    matched: int
    examined: int
    examples: list[str]


def rule_try(
    *, condition: Condition, text: str = "", is_private: bool = False, author: str = "", now=None
) -> RuleTrial:
    """Test ``condition`` against ``text`` and against the last 30 days of inbound messages."""
    now = now or timezone.now()
    sample = None
    if text:
        sample = match(
            condition,
            text=text,
            channel_id=condition.channel_id,
            is_private=is_private,
            author=author_keys(author),
            sentiment=sentiment_score(text),
        )
    recent = (
        Message.objects.filter(direction=Message.Direction.IN, created_at__gte=now - timedelta(days=BACKTEST_DAYS))
        .order_by("-created_at")
        .values_list(
            "body",
            "channel_id",
            "conversation__kind",
            "author_contact__handle",
            "author_contact__email",
            "author_contact__external_id",
        )[:BACKTEST_LIMIT]
    )
    wants_sentiment = condition.sentiment_below is not None
    matched = examined = 0
    examples: list[str] = []
    for body, channel_id, kind, handle, email, external_id in recent.iterator(chunk_size=2000):
        examined += 1
        found = match(
            condition,
            text=body,
            channel_id=channel_id,
            is_private=kind == Conversation.Kind.PRIVATE,
            author=author_keys(handle or "", email or "", external_id or ""),
            sentiment=sentiment_score(body) if wants_sentiment else None,
        )
        if found:
            matched += 1
            if len(examples) < 5:
                examples.append(body[:160])
    return RuleTrial(sample_match=sample, matched=matched, examined=examined, examples=examples)


@transaction.atomic
def rule_save(*, rule: Rule, by) -> Rule:
    """Save a rule the CM edited, as a new version of the protocol."""
    from protocols.versions import protocol_change_record, snapshot

    before = snapshot(Rule.objects.filter(pk=rule.pk).first()) if rule.pk else None
    rule.updated_by = by
    rule.save()
    protocol_change_record(obj=rule, by=by, before=before)
    return rule
