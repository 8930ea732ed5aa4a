import pytest

from demo.fakes.imap import FakeMailbox, FakeSmtp, serve_imap, serve_smtp
from tests.factories import ChannelFactory


@pytest.fixture
def mailbox():
    box = FakeMailbox()
    server = serve_imap(box)
    box.port = server.server_address[1]
    yield box
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp():
    state = FakeSmtp()
    server = serve_smtp(state)
    state.port = server.server_address[1]
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def inbox_channel(db, mailbox, smtp):
    return ChannelFactory(
        kind="email",
        name="Buzón La Espiga",
        key="buzon-laespiga",
        external_account_id="buzon@laespiga.example",
        credentials={
            "imap_host": "127.0.0.1",
            "imap_port": mailbox.port,
            "imap_security": "none",
            "imap_username": mailbox.username,
            "imap_password": mailbox.password,
            "folder": "INBOX",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_security": "none",
            "smtp_username": smtp.username,
            "smtp_password": smtp.password,
            "from_address": "buzon@laespiga.example",
        },
    )
