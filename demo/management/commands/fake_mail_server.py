"""Serve the demo's fake mailbox: IMAP to read it, an SMTP sink for replies (``make run`` starts it)."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from demo.fakes.imap import FakeSmtp, demo_mailbox, serve_imap, serve_smtp


class Command(BaseCommand):
    help = "Serve a local fake IMAP mailbox with a few e-mails and an SMTP sink that keeps replies."

    def add_arguments(self, parser):
        parser.add_argument("--imap-port", type=int, default=settings.DEMO_IMAP_PORT)
        parser.add_argument("--smtp-port", type=int, default=settings.DEMO_SMTP_PORT)

    def handle(self, *args, imap_port, smtp_port, **options):
        imap = serve_imap(demo_mailbox(timezone.now()), port=imap_port)
        smtp = serve_smtp(FakeSmtp(), port=smtp_port)
        self.stdout.write(f"Fake mailbox: IMAP on 127.0.0.1:{imap_port}, SMTP on 127.0.0.1:{smtp_port} (Ctrl-C stops)")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
        imap.shutdown()
        smtp.shutdown()
