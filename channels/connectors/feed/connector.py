"""Blogs, news and forums: the channel that receives listening results sent to the inbox.

Feeds are read by listening's watches (``listening.services``), not by this
channel: it neither polls nor receives webhooks. A forum thread sent to the
inbox becomes a public conversation here, so the protocol classifies it, gives
it a deadline and assigns it. A feed cannot be written to: the answer is given
on the site itself (the conversation links to the thread), and a reply written
in Mostrador is refused before it is queued, with that reason; notes still work.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channels.connectors.base import Connector, ConnectorError, OutboundReply, SentReceipt


class FeedConnector(Connector):
    kind = "feed"
    setup_form = "channels.connectors.feed.forms.FeedChannelForm"
    setup_title = _("New blogs and forums channel")

    def validate_reply(self, body: str) -> list[str]:
        # Refused before anything is queued: the reply box says why, nothing is lost.
        return [gettext("Blogs and forums are answered on the site itself: open the thread from the link at the top.")]

    def send_reply(self, reply: OutboundReply) -> SentReceipt:
        raise ConnectorError(
            "Blogs and forums are answered on the site itself: open the thread from the conversation.",
            permanent=True,
        )
