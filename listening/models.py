"""Listening: what is said about the brand, keywords and competitors, outside the inbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Watch(models.Model):
    """A search the Community Manager keeps running: the brand, a keyword, a competitor."""

    class Kind(models.TextChoices):
        BRAND = "brand", _("brand")
        KEYWORD = "keyword", _("keyword")
        COMPETITOR = "competitor", _("competitor")

    class Source(models.TextChoices):
        X = "x", _("X search")
        FEED = "feed", _("RSS or Atom feed")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.BRAND)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.X)
    query = models.CharField(
        _("search query"),
        max_length=512,
        blank=True,
        help_text=_('X search syntax, e.g. "La Espiga" OR @laespiga -is:retweet'),
    )
    feed_url = models.URLField(
        _("feed address"),
        max_length=1000,
        blank=True,
        help_text=_("RSS or Atom address of a blog, news site or forum, or of a search feed."),
    )
    keywords = models.TextField(
        _("words to find"),
        blank=True,
        help_text=_(
            "For feeds: words or phrases, one per line; accents and capitals are ignored. "
            "Empty: every entry counts (a search feed)."
        ),
    )
    channel = models.ForeignKey(
        "channels.Channel",
        verbose_name=_("channel"),
        on_delete=models.PROTECT,
        related_name="watches",
        limit_choices_to={"kind__in": ["x", "feed"]},
        help_text=_("X search: the X account that searches. Feed: the blogs and forums channel results are sent to."),
    )
    active = models.BooleanField(_("active"), default=True)
    interval_minutes = models.PositiveSmallIntegerField(_("every (minutes)"), default=60)
    since_id = models.CharField(_("newest result seen"), max_length=40, blank=True)
    last_polled_at = models.DateTimeField(_("last search"), null=True, blank=True)
    next_poll_at = models.DateTimeField(_("next search"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Feeds: the validators of the last answer (conditional GET), and the
    # failures in a row (the next fetch waits longer after each).
    etag = models.CharField(_("ETag"), max_length=200, blank=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True)
    failures = models.PositiveSmallIntegerField(_("failures in a row"), default=0)

    class Meta:
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Result(models.Model):
    """One post a watch found: a tweet, or a feed entry (``external_id`` then
    stands for the entry's id or link, hashed)."""

    watch = models.ForeignKey(Watch, verbose_name=_("watch"), on_delete=models.CASCADE, related_name="results")
    external_id = models.CharField(_("post id"), max_length=40)
    thread_id = models.CharField(_("thread id"), max_length=40)
    author_id = models.CharField(_("author id"), max_length=40)
    author_handle = models.CharField(_("author"), max_length=100)
    author_name = models.CharField(_("author name"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    url = models.URLField(_("link"), max_length=1000)
    written_at = models.DateTimeField(_("written at"), db_index=True)
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    is_question = models.BooleanField(_("asks something"), default=False)
    conversation = models.ForeignKey(
        "inbox.Conversation",
        verbose_name=_("sent to the inbox as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("listening result")
        verbose_name_plural = _("listening results")
        ordering = ["-written_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["watch", "external_id"], name="result_unique_per_watch")]

    def __str__(self) -> str:
        return f"{self.author_handle}: {self.text[:40]}"


class EngagementDay(models.Model):
    """Likes and retweets of the account's posts, counted per channel and day
    (they are listening, not conversations: nobody answers a like)."""

    class Kind(models.TextChoices):
        LIKE = "like", _("likes")
        RETWEET = "retweet", _("retweets")

    channel = models.ForeignKey(
        "channels.Channel", verbose_name=_("channel"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("engagement per day")
        verbose_name_plural = _("engagement per day")
        constraints = [models.UniqueConstraint(fields=["channel", "day", "kind"], name="engagement_once_per_day")]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.day} {self.kind}: {self.count}"
