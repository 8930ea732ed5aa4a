"""The e-mail inbox end to end, through the fake IMAP server and SMTP sink:
poll → drain → conversations; replies by SMTP in the thread, once."""

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from channels import polling
from channels.models import Channel
from demo.fakes.imap import demo_mailbox
from inbox.models import Conversation, Message
from inbox.services.replies import reply_create, reply_send
from tests.channels.polls import poll

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def add(mailbox, *names):
    for name in names:
        mailbox.add((FIXTURES / f"{name}.eml").read_bytes())


def test_a_thread_of_three_is_one_conversation_and_the_cursor_reads_each_mail_once(inbox_channel, mailbox):
    add(mailbox, "thread_1", "thread_2")
    assert poll(inbox_channel).status == "polled"
    add(mailbox, "thread_3_in_reply_to_only")
    poll(inbox_channel)
    outcome = poll(inbox_channel)  # nothing new
    assert outcome.status == "polled" and outcome.event is None
    conversation = Conversation.objects.get()
    assert conversation.thread_key == "email-thread:<thread-1@novios.example>"
    assert list(conversation.messages.values_list("external_id", flat=True)) == [
        "<thread-1@novios.example>",
        "<thread-2@novios.example>",
        "<thread-3@novios.example>",  # named only its parent: filed under the parent's conversation
    ]
    assert conversation.subject == "Tarta para la boda" and conversation.waiting_since is not None
    channel = Channel.objects.get(pk=inbox_channel.pk)
    assert channel.poll_cursor == "1:3"
    # Read-only and unread: the folder is EXAMINEd, bodies fetched with BODY.PEEK.
    assert "EXAMINE INBOX" in mailbox.commands and not any(c.startswith("SELECT") for c in mailbox.commands)


def test_a_renumbered_folder_is_read_again_without_duplicates(inbox_channel, mailbox):
    add(mailbox, "plain")
    poll(inbox_channel)
    mailbox.renumber()
    add(mailbox, "html_only")
    poll(inbox_channel)
    assert Message.objects.count() == 2
    assert Channel.objects.get(pk=inbox_channel.pk).poll_cursor == "2:102"


def test_auto_replies_and_bounces_are_kept_but_nobody_waits_for_them(inbox_channel, mailbox, smtp, gestor):
    add(mailbox, "thread_1")
    poll(inbox_channel)
    conversation = Conversation.objects.get()
    reply = reply_create(conversation=conversation, sender=gestor, body="¡Claro que sí!")
    reply_send(message_id=reply.pk)
    reply.refresh_from_db()
    from django.utils import timezone

    from demo.fakes.imap import dsn_bounce

    mailbox.add(dsn_bounce("marta@novios.example", reply.external_id, timezone.now()))
    add(mailbox, "auto_reply")
    poll(inbox_channel)
    conversation.refresh_from_db()
    bounce = Message.objects.get(author_contact__email="mailer-daemon@mail.laespiga.example")
    assert bounce.conversation == conversation  # filed under the reply that bounced
    assert conversation.status == "waiting" and conversation.waiting_since is None  # still answered
    auto = Message.objects.get(external_id="<ooo-1@harinas.example>").conversation
    assert auto.status == "resolved" and not auto.requires_reply and auto.waiting_since is None
    assert auto.sla_due_at is None


def test_a_reply_goes_by_smtp_in_the_thread_once(inbox_channel, mailbox, smtp, gestor):
    add(mailbox, "thread_1", "thread_2")
    poll(inbox_channel)
    conversation = Conversation.objects.get()
    reply = reply_create(conversation=conversation, sender=gestor, body="Sí, y sin gluten también.")
    reply_send(message_id=reply.pk)
    reply_send(message_id=reply.pk)
    assert len(smtp.sent) == 1
    envelope_from, recipients, data = smtp.sent[0]
    sent = BytesParser(policy=policy.default).parsebytes(data)
    reply.refresh_from_db()
    assert (envelope_from, recipients) == ("buzon@laespiga.example", ["marta@novios.example"])
    assert sent["Subject"] == "Re: Tarta para la boda"
    assert sent["Message-ID"] == reply.external_id == f"<{reply.idempotency_key}@laespiga.example>"
    assert sent["In-Reply-To"] == "<thread-2@novios.example>"
    assert sent["References"] == "<thread-1@novios.example> <thread-2@novios.example>"
    assert sent.get_content().strip() == "Sí, y sin gluten también."
    # The customer answers our reply: the same conversation.
    answer = (
        (FIXTURES / "thread_3_in_reply_to_only.eml")
        .read_bytes()
        .replace(b"<thread-2@novios.example>", reply.external_id.encode())
    )
    mailbox.add(answer)
    poll(inbox_channel)
    assert Message.objects.get(external_id="<thread-3@novios.example>").conversation == conversation
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.waiting_since is not None


def test_attachments_are_copied_from_the_mailbox(
    inbox_channel, mailbox, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MOSTRADOR_COPY_MEDIA = True
    settings.MEDIA_ROOT = tmp_path
    add(mailbox, "multipart_attachment")
    with django_capture_on_commit_callbacks(execute=True):
        poll(inbox_channel)
    pdf, picture = Message.objects.get().attachments
    with default_storage.open(pdf["stored"]) as stored:
        assert stored.read() == b"%PDF-1.4 factura 123"
    assert picture["stored"].endswith(".png")


def test_wrong_credentials_disable_the_inbox_with_the_reason(inbox_channel, mailbox):
    mailbox.password = "changed"
    outcome = polling.channel_poll(channel_id=inbox_channel.pk, force=True)
    channel = Channel.objects.get(pk=inbox_channel.pk)
    assert outcome.status == "disabled" and not channel.active
    assert "refused the login" in channel.last_error


def test_the_website_form_and_the_mailbox_are_one_history(inbox_channel, mailbox, web_channel, gestor, post_webhook):
    post_webhook(web_channel, {"external_id": "f-1", "name": "Ana", "email": "ana@example.com", "message": "Hola"})
    add(mailbox, "plain")
    poll(inbox_channel)
    by_mail = Conversation.objects.get(channel=inbox_channel)
    by_form = Conversation.objects.get(channel=web_channel)
    client = Client()
    client.force_login(gestor)
    page = client.get(reverse("inbox:detail", args=[by_mail.pk])).content.decode()
    assert 'data-testid="other-conversations"' in page
    assert reverse("inbox:detail", args=[by_form.pk]) in page


def test_the_demo_mailbox_holds_what_the_readme_says(inbox_channel, mailbox, django_capture_on_commit_callbacks):
    from django.utils import timezone

    demo = demo_mailbox(timezone.now())
    mailbox.folders = demo.folders
    # The bounce quotes a reply Mostrador never sent: owed a look-up, then filed on its own.
    with django_capture_on_commit_callbacks(execute=True):
        poll(inbox_channel)
    assert Conversation.objects.count() == 4  # the thread, the photo, the auto-reply, the bounce
    assert Conversation.objects.filter(requires_reply=False, status="resolved").count() == 2
    thread = Conversation.objects.get(thread_key="email-thread:<pedido-boda@novios.example>")
    assert thread.messages.count() == 3


def test_the_set_up_form_keeps_passwords_write_only(client, cm):
    client.force_login(cm)
    data = {
        "name": "Buzón",
        "key": "buzon",
        "external_account_id": "Hola@LaEspiga.example",
        "active": "on",
        "imap_host": "imap.example",
        "imap_port": "993",
        "imap_security": "ssl",
        "imap_username": "hola",
        "imap_password": "imap-secret",
        "folder": "INBOX",
        "smtp_host": "smtp.example",
        "smtp_port": "587",
        "smtp_security": "starttls",
        "smtp_username": "hola",
        "smtp_password": "smtp-secret",
        "from_name": "La Espiga",
    }
    response = client.post(reverse("channels:create") + "?kind=email", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    channel = Channel.objects.get(key="buzon")
    assert channel.external_account_id == "hola@laespiga.example"
    assert channel.credentials["imap_password"] == "imap-secret" and channel.credentials["from_address"] == (
        "hola@laespiga.example"
    )
    page = client.get(reverse("channels:edit", args=[channel.pk])).content.decode()
    assert "imap-secret" not in page and "smtp-secret" not in page and 'value="imap.example"' in page
    client.post(reverse("channels:edit", args=[channel.pk]), {**data, "imap_password": "", "smtp_password": ""})
    channel.refresh_from_db()
    assert channel.credentials["smtp_password"] == "smtp-secret"


def test_a_poll_stores_a_bounded_batch_and_the_next_continues(inbox_channel, mailbox, monkeypatch):
    from channels.connectors.email import connector as email_connector

    monkeypatch.setattr(email_connector, "MAX_BATCH_BYTES", len((FIXTURES / "thread_1.eml").read_bytes()) + 10)
    add(mailbox, "thread_1", "thread_2", "plain")
    first = poll(inbox_channel)
    assert first.event.item_count == 1
    poll(inbox_channel)
    poll(inbox_channel)
    assert Message.objects.count() == 3
    assert Channel.objects.get(pk=inbox_channel.pk).poll_cursor == "1:3"
