"""The CM's set-up form of a YouTube channel (comments)."""

import re

from django.utils.translation import gettext_lazy as _

from channels.connectors.google.forms import GoogleChannelForm


class YouTubeChannelForm(GoogleChannelForm):
    scope = "https://www.googleapis.com/auth/youtube.force-ssl"
    account_label = _("YouTube channel id")
    account_help = _("Starts with UC; the refresh token must belong to this channel's owner.")
    account_pattern = re.compile(r"^UC[\w-]{10,40}$")
    account_error = _("A YouTube channel id starts with UC (youtube.com/channel/UC…).")
