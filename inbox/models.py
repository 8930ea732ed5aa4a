import uuid
from contextvars import ContextVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels.models import Channel


class InboundDeletionForbidden(Exception):
    """A user's message may never be deleted: hide it instead (audited)."""


class UndeletableQuerySet(models.QuerySet):
    def delete(self):
        raise InboundDeletionForbidden(f"{self.model._meta.verbose_name_plural} cannot be deleted.")


class UndeletableModel(models.Model):
    """Rows that carry what users wrote: kept for ever, never deleted."""

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise InboundDeletionForbidden(f"{self._meta.verbose_name} cannot be deleted.")


class Person(UndeletableModel):
    """One person, whatever counter they come to: their contacts (identities)
    on every channel, gathered where a network proves it and by hand otherwise.

    A person merged into another is kept, pointing at it (``merged_into``), so
    the audit and old links still lead somewhere."""

    display_name = models.CharField(_("name"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name or f"#{self.pk}"


class PersonNote(UndeletableModel):
    """What the team knows about a person ("prefers WhatsApp", "allergic to nuts")."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("note about a person")
        verbose_name_plural = _("notes about people")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:40]


class PersonChange(UndeletableModel):
    """The audit of who gathered or separated a person's identities, and why."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("joined automatically")
        MERGED = "merged", _("merged by hand")
        SPLIT = "split", _("split by hand")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # MERGED: the person merged into this one; SPLIT: the new person the contact went to.
    other = models.ForeignKey(
        Person, verbose_name=_("other person"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        "Contact", verbose_name=_("contact"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change to a person")
        verbose_name_plural = _("changes to people")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}"


class Contact(UndeletableModel):
    """One person's identity on one channel."""

    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="contacts")
    external_id = models.CharField(_("external id"), max_length=200)
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    profile_url = models.URLField(_("profile URL"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # When the network's profile (name, username) was last read; NULL: never,
    # which for a nameless contact on a network that gives only ids is a debt
    # the profile sweep settles (``inbox.services.contacts``).
    profile_fetched_at = models.DateTimeField(_("profile read at"), null=True, blank=True)
    # The person this identity belongs to (NULL: not gathered yet, its own person).
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    # What the network proves about the person ("phone:+34…", "email:…"): contacts
    # that share it are one person (``Connector.proven_identity``).
    proven_identity = models.CharField(_("proven identity"), max_length=260, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="contact_unique_per_channel")]
        # "@handle" in the inbox search matches a handle exactly, whatever the case.
        indexes = [
            models.Index(Upper("handle"), name="contact_handle_idx"),
            models.Index(
                fields=["id"],
                condition=models.Q(profile_fetched_at__isnull=True, display_name=""),
                name="contact_profile_owed_idx",
            ),
            models.Index(
                fields=["proven_identity"], condition=~models.Q(proven_identity=""), name="contact_proven_identity_idx"
            ),
            # A conversation page lists the conversations of the same e-mail address, whatever the case.
            models.Index(Upper("email"), condition=~models.Q(email=""), name="contact_email_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.handle or self.external_id


class Conversation(UndeletableModel):
    """A thread with one contact on one channel: a post's comments or a private chat."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("public thread")
        PRIVATE = "private", _("private")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        OPEN = "open", _("open")
        WAITING = "waiting", _("waiting for the customer")
        RESOLVED = "resolved", _("resolved")

    class Priority(models.IntegerChoices):
        LOW = 1, _("low")
        NORMAL = 2, _("normal")
        HIGH = 3, _("high")
        URGENT = 4, _("urgent")

    class SlaState(models.TextChoices):
        NONE = "none", _("no deadline")
        OK = "ok", _("on time")
        AT_RISK = "at_risk", _("at risk")
        BREACHED = "breached", _("overdue")

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="conversations"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="conversations"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    thread_key = models.CharField(_("thread key"), max_length=255)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # The start of the latest inbound message, for the inbox list.
    snippet = models.CharField(_("latest message"), max_length=200, blank=True)
    parent_url = models.URLField(_("post it hangs from"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    # Given by hand by a supervisor: the shift handover leaves it with its assignee
    # until they answer it or someone reassigns it.
    assignment_held = models.BooleanField(_("assigned by hand"), default=False)
    # The team whose queue holds it while nobody on shift can take it.
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        "protocols.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # Which protocol rule classified the conversation, and why (shown to the team).
    matched_rule = models.ForeignKey(
        "protocols.Rule",
        verbose_name=_("matched rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    match_reason = models.CharField(_("why it matched"), max_length=300, blank=True)
    requires_reply = models.BooleanField(_("requires a reply"), default=True)
    # Reply deadlines from the protocol's SLA policy (protocols/sla.py keeps them).
    sla_policy = models.ForeignKey(
        "protocols.SlaPolicy",
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # The nearest pending deadline, when it turns at risk, and where it stands.
    sla_due_at = models.DateTimeField(_("due"), null=True, blank=True)
    sla_warn_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    sla_state = models.CharField(_("deadline"), max_length=10, choices=SlaState.choices, default=SlaState.NONE)
    # Set with the state by the sweeper, cleared by the escalation that tells
    # people: a debt recorded in the same UPDATE, settled even if the broker was down.
    sla_escalation_owed = models.BooleanField(_("escalation owed"), default=False)
    first_inbound_at = models.DateTimeField(_("first inbound at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    last_inbound_at = models.DateTimeField(_("last inbound at"), null=True, blank=True)
    last_outbound_at = models.DateTimeField(_("last outbound at"), null=True, blank=True)
    # Last inbound still unanswered: the oldest of these is attended first.
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(fields=["channel", "thread_key"], name="conversation_unique_thread_per_channel")
        ]
        indexes = [
            models.Index(fields=["status", "waiting_since"], name="conversation_queue_idx"),
            models.Index(fields=["assignee", "status"], name="conversation_assignee_idx"),
            # The SLA sweeper's two questions: what is now overdue, what is now at risk.
            models.Index(
                fields=["sla_due_at"],
                condition=models.Q(sla_state__in=["ok", "at_risk"]),
                name="conversation_sla_due_idx",
            ),
            models.Index(fields=["sla_warn_at"], condition=models.Q(sla_state="ok"), name="conversation_sla_warn_idx"),
            models.Index(fields=["id"], condition=models.Q(sla_escalation_owed=True), name="conversation_esc_owed_idx"),
            # Open work only: the inbox's counts (per status, channel, assignee, deadline) never read history.
            models.Index(
                fields=["status", "channel", "assignee", "sla_state"],
                condition=models.Q(status__in=["new", "open", "waiting"]),
                name="conversation_open_idx",
            ),
            # The team queues: open and unassigned, by team and by channel.
            models.Index(
                fields=["team", "channel"],
                condition=models.Q(assignee__isnull=True, status__in=["new", "open", "waiting"]),
                name="conversation_unassigned_idx",
            ),
            # The handover's question: what awaits an answer with whom, on which channel.
            models.Index(
                fields=["assignee", "channel"],
                condition=models.Q(status__in=["new", "open"], waiting_since__isnull=False),
                name="conversation_awaiting_idx",
            ),
            # The inbox's sort orders and the search index are PostgreSQL-only (NULLS LAST,
            # GIN): migration 0010 creates them.
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.contact} ({self.channel.name})"

    @property
    def is_private(self) -> bool:
        return self.kind == self.Kind.PRIVATE


class Message(UndeletableModel):
    """An inbound item, an outbound reply, or an internal note in a conversation."""

    class Direction(models.TextChoices):
        IN = "in", _("inbound")
        OUT = "out", _("outbound")
        NOTE = "note", _("internal note")

    class DeliveryStatus(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    class NetworkStatus(models.TextChoices):
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        READ = "read", _("read")
        FAILED = "failed", _("failed")

    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.PROTECT, related_name="messages"
    )
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    # NULL, not "", for replies not yet sent: the uniqueness per channel skips NULLs.
    external_id = models.CharField(_("external id"), max_length=255, null=True, blank=True)  # noqa: DJ001
    author_contact = models.ForeignKey(
        Contact, verbose_name=_("author"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sent_messages",
    )
    body = models.TextField(_("body"))
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at on the network"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    delivery_status = models.CharField(_("delivery status"), max_length=10, choices=DeliveryStatus.choices, blank=True)
    delivery_error = models.TextField(_("delivery error"), blank=True)
    idempotency_key = models.UUIDField(_("idempotency key"), null=True, blank=True, unique=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Queued: not before this time. Sending: when the attempt started.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # An outbound reply sent privately (DM) in answer to a public comment.
    to_private = models.BooleanField(_("sent privately"), default=False)
    # A reply sent as a template the network approved (WhatsApp outside the
    # 24-hour window): {"name", "language", "params"}; ``body`` is its text as rendered.
    template = models.JSONField(_("template"), default=dict, blank=True)
    # What the network later said of a sent reply (WhatsApp statuses): sent,
    # delivered, read or failed; never moves backwards (a late "delivered" after
    # "read" changes nothing).
    network_status = models.CharField(
        _("status on the network"), max_length=10, choices=NetworkStatus.choices, blank=True
    )
    network_status_at = models.DateTimeField(_("status on the network at"), null=True, blank=True)
    network_error = models.TextField(_("error on the network"), blank=True)
    # The stars of a review (1–5; Google Business Profile), None for everything else.
    rating = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    # What happened to an inbound item on the network. The text is always kept.
    edited_at = models.DateTimeField(_("edited by its author at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed by its author at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden_reason = models.TextField(_("why it was hidden"), blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        permissions = [("hide_message", _("Can hide a comment on the network"))]
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="message_unique_external_id_per_channel",
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="message_thread_idx"),
            models.Index(
                fields=["delivery_status"],
                condition=models.Q(delivery_status__in=["queued", "sending"]),
                name="message_outbox_idx",
            ),
            # The weekly report lists what was hidden in a week without scanning every message.
            models.Index(fields=["hidden_at"], condition=models.Q(hidden_at__isnull=False), name="message_hidden_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.body[:40]}"

    @staticmethod
    def new_idempotency_key() -> uuid.UUID:
        return uuid.uuid4()


class AttachmentCopy(models.Model):
    """A copy owed of one attachment's picture (network media URLs expire).

    Written with the message, in the same transaction; a task copies the
    picture into Django's default storage and writes its name into the
    attachment (``stored``); the sweep takes what the broker lost.
    """

    message = models.ForeignKey(Message, verbose_name=_("message"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position in the attachments"))
    source_url = models.URLField(_("source URL"), max_length=2000)
    stored_name = models.CharField(_("stored as"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Copied, or given up on (``last_error`` says why).
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attachment copy")
        verbose_name_plural = _("attachment copies")
        constraints = [models.UniqueConstraint(fields=["message", "position"], name="attachment_copy_once")]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(settled_at__isnull=True), name="attachment_copy_owed_idx")
        ]

    def __str__(self) -> str:
        return f"{self.message_id}#{self.position}: {self.stored_name or self.source_url}"


class ItemLookup(models.Model):
    """An inbound item that needs the network before it can be stored: an
    Instagram mention (its text must be fetched) or an X reply whose thread is
    unknown. Written in the ingest transaction; a task completes and stores it;
    the sweep takes what the broker lost."""

    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(_("external id"), max_length=255)
    item = models.JSONField(_("item"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("item lookup")
        verbose_name_plural = _("item lookups")
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="item_lookup_once")]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(settled_at__isnull=True), name="item_lookup_owed_idx")
        ]

    def __str__(self) -> str:
        return self.external_id


# Set only while ``inbox.events`` writes: the one writer of the event log.
event_writer: ContextVar[bool] = ContextVar("conversation_event_writer", default=False)


class EventLogMisuse(Exception):
    """A conversation event written outside ``inbox.events``, or one being changed or deleted."""


class EventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        if not event_writer.get():
            raise EventLogMisuse("Conversation events are written by inbox.events only.")
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        raise EventLogMisuse("The conversation event log is append-only.")

    def delete(self):
        raise EventLogMisuse("The conversation event log is append-only.")


class ConversationEvent(models.Model):
    """Append-only log of what happened to a conversation; written only by
    ``inbox.events`` (its vocabulary and data keys are documented there), read
    by the timeline, the audit and the reports."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("message received")
        REPLY_QUEUED = "reply_queued", _("reply queued")
        REPLY_SENT = "reply_sent", _("reply sent")
        REPLY_FAILED = "reply_failed", _("reply failed")
        REPLY_RETRIED = "reply_retried", _("reply retried")
        NOTE_ADDED = "note_added", _("note added")
        ASSIGNED = "assigned", _("assigned")
        RESOLVED = "resolved", _("resolved")
        REOPENED = "reopened", _("reopened")
        EDITED = "edited", _("edited by its author")
        REMOVED = "removed", _("removed by its author")
        HIDDEN = "hidden", _("hidden on the network")
        CLASSIFIED = "classified", _("classified by the protocol")
        SLA_AT_RISK = "sla_at_risk", _("deadline at risk")
        SLA_BREACHED = "sla_breached", _("deadline breached")
        QUEUED = "queued", _("waiting in the team queue")
        HANDED_OVER = "handed_over", _("handed over at shift end")
        UNHIDDEN = "unhidden", _("shown again on the network")
        RECLASSIFIED = "reclassified", _("category, priority or tags changed")

    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    # Now, unless ``inbox.events`` is told when it happened (history the demo seeds).
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation event")
        verbose_name_plural = _("conversation events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.conversation_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not event_writer.get():
            raise EventLogMisuse("Conversation events are written once, by inbox.events only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EventLogMisuse("The conversation event log is append-only.")


class SavedView(models.Model):
    """A person's named inbox filters (the query string of the list), optionally
    shared with the whole team: everyone who works the inbox sees shared views."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    shared = models.BooleanField(_("shared with the team"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_unique_name")]
        indexes = [models.Index(fields=["name"], condition=models.Q(shared=True), name="saved_view_shared_idx")]

    def __str__(self) -> str:
        return self.name
