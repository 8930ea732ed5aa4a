from django import forms

from channels.models import Channel
from listening.models import Watch


class WatchForm(forms.ModelForm):
    class Meta:
        model = Watch
        fields = ["name", "kind", "query", "channel", "interval_minutes", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(kind="x")
