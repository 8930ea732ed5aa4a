"""The CM's set-up form of a blogs-and-forums channel: a name, nothing secret
(feeds are public; each watch names its own feed)."""

from django import forms

from channels.models import Channel


class FeedChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["name", "key", "active"]

    def save(self, commit=True):
        channel = super().save(commit=False)
        channel.kind = "feed"
        if commit:
            channel.save()
        return channel
