from django.db import models
from django.utils.translation import gettext_lazy as _

from channels.connectors.registry import connector_class, kind_choices
from channels.fields import EncryptedJSONField


class Channel(models.Model):
    """One account the company must attend on one network: a counter."""

    kind = models.CharField(_("kind"), max_length=20, choices=kind_choices)
    name = models.CharField(_("name"), max_length=120)
    key = models.SlugField(
        _("key"), max_length=60, unique=True, help_text=_("Identifies the channel in its webhook URL.")
    )
    external_account_id = models.CharField(
        _("external account id"),
        max_length=120,
        blank=True,
        help_text=_("The page, account or site id on the network."),
    )
    credentials = EncryptedJSONField(_("credentials"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    last_event_at = models.DateTimeField(_("last event at"), null=True, blank=True)
    # Polling: where the last poll stopped, when it ran, and the earliest the
    # network allows the next one (rate limits).
    poll_cursor = models.TextField(_("poll cursor"), blank=True)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    next_poll_at = models.DateTimeField(_("next poll allowed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    # Since when deliveries of this channel fail to be read (entries or whole
    # events); the CM is alerted when it starts, and it clears on a clean one.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "external_account_id"],
                condition=~models.Q(external_account_id=""),
                name="channel_unique_account_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def webhook_path(self) -> str | None:
        """Where the network delivers for this channel (its connector says); None if it does not push."""
        return connector_class(self.kind).webhook_path(self)

    @property
    def is_polled(self) -> bool:
        return connector_class(self.kind).supports_polling


class InboundEvent(models.Model):
    """Every webhook delivery or poll batch, stored raw before anything else
    happens, so nothing is lost and everything can be replayed."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        PROCESSED = "processed", _("processed")
        FAILED = "failed", _("failed")
        REJECTED = "rejected", _("rejected")

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("webhook")
        POLL = "poll", _("poll")

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEBHOOK)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    body = models.BinaryField(_("raw body"))
    headers = models.JSONField(_("headers"), default=dict)
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The network signed it: stored whole, and a refused one can be replayed
    # once its cause is fixed (an account set up, a parser mended).
    authentic = models.BooleanField(_("authentic"), default=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["id"], condition=models.Q(status="accepted"), name="inboundevent_pending_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.status}"

    @property
    def body_text(self) -> str:
        return bytes(self.body).decode("utf-8", errors="replace")

    @property
    def replayable(self) -> bool:
        return self.status == self.Status.FAILED or (self.status == self.Status.REJECTED and self.authentic)


class UnparsedEntry(models.Model):
    """One entry of a stored delivery or poll batch that its connector could not
    understand: kept with the reason, shown to the Community Manager, replayed
    with its event. The event's other items were stored all the same."""

    event = models.ForeignKey(
        InboundEvent, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="unparsed"
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="unparsed_entries"
    )
    reason = models.TextField(_("reason"))
    raw = models.JSONField(_("entry as received"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set when the event was processed again: this reading is superseded.
    replayed_at = models.DateTimeField(_("replayed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unparsed entry")
        verbose_name_plural = _("unparsed entries")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["channel", "id"], condition=models.Q(replayed_at__isnull=True), name="unparsed_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.event_id}: {self.reason[:60]}"


class RefusalCount(models.Model):
    """How many deliveries one address had refused, per day and kind: the
    bounded record of refusals that may not be authentic. The first of them
    (``MOSTRADOR_REFUSALS_RECORDED_PER_HOUR`` per address) are also kept as
    rejected events with their first bytes and headers; the rest only count."""

    day = models.DateField(_("day"))
    remote_addr = models.CharField(_("remote address"), max_length=45, blank=True)
    kind = models.CharField(_("kind"), max_length=20)
    count = models.PositiveIntegerField(_("refusals"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    last_at = models.DateTimeField(_("last at"))

    class Meta:
        verbose_name = _("refusal count")
        verbose_name_plural = _("refusal counts")
        constraints = [models.UniqueConstraint(fields=["day", "remote_addr", "kind"], name="refusalcount_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.remote_addr} {self.kind}: {self.count}"
