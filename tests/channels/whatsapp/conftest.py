import pytest

from demo.fakes.graph_api import WHATSAPP_TEMPLATES
from tests.factories import ChannelFactory

PHONE_ID = "106540352242922"
WABA_ID = "102290129340398"


@pytest.fixture
def whatsapp(db, fake_graph):
    fake_graph.templates = [dict(t) for t in WHATSAPP_TEMPLATES]
    return ChannelFactory(
        kind="whatsapp",
        name="WhatsApp La Espiga",
        key="whatsapp-laespiga",
        external_account_id=PHONE_ID,
        credentials={"access_token": "wa-token", "waba_id": WABA_ID},
    )
