"""The CM's set-up form of a Google Business Profile location (reviews)."""

import re

from django.utils.translation import gettext_lazy as _

from channels.connectors.google.forms import GoogleChannelForm


class GoogleReviewsChannelForm(GoogleChannelForm):
    scope = "https://www.googleapis.com/auth/business.manage"
    account_label = _("Location")
    account_help = _("As the Business Profile API names it: accounts/{account id}/locations/{location id}.")
    account_pattern = re.compile(r"^accounts/[^/\s]+/locations/[^/\s]+$")
    account_error = _("Write it as accounts/{account id}/locations/{location id}.")

    def account_normalize(self, value: str) -> str:
        return value.strip().strip("/")
