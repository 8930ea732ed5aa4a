from django import forms
from django.utils.translation import gettext_lazy as _

from channels.models import Channel
from listening.models import Watch

# Which channel kind runs (or receives) each source of watch.
SOURCE_CHANNEL_KIND: dict[str, str] = {Watch.Source.X: "x", Watch.Source.FEED: "feed"}


def watch_errors(*, source: str, query: str, feed_url: str, channel: Channel | None) -> dict[str, str]:
    """Why a watch's fields do not fit its source, by field ({} when they do)."""
    errors = {}
    if source == Watch.Source.X and not query.strip():
        errors["query"] = str(_("An X watch needs a search query."))
    if source == Watch.Source.FEED and not feed_url.strip():
        errors["feed_url"] = str(_("A feed watch needs the feed's address."))
    if channel is not None and channel.kind != SOURCE_CHANNEL_KIND.get(source):
        errors["channel"] = str(
            _("An X search runs on an X account; a feed's results go to a blogs and forums channel.")
        )
    return errors


class WatchForm(forms.ModelForm):
    feed_url = forms.URLField(
        label=_("feed address"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text=Watch._meta.get_field("feed_url").help_text,
    )

    class Meta:
        model = Watch
        fields = ["name", "kind", "source", "query", "feed_url", "keywords", "channel", "interval_minutes", "active"]
        widgets = {"keywords": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(kind__in=list(SOURCE_CHANNEL_KIND.values()))

    def clean(self):
        cleaned = super().clean()
        errors = watch_errors(
            source=cleaned.get("source", ""),
            query=cleaned.get("query", ""),
            feed_url=cleaned.get("feed_url", ""),
            channel=cleaned.get("channel"),
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned
