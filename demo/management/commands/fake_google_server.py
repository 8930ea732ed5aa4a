"""Serve the demo's fake Google APIs (``make run`` starts it; nothing here reaches Google)."""

import signal

from django.core.management.base import BaseCommand

from demo.fakes.google_api import demo_state, serve


class Command(BaseCommand):
    help = "Serve a local fake Google: OAuth tokens, Business Profile reviews and replies, YouTube comment threads."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8781)

    def handle(self, *args, port, **options):
        server = serve(demo_state(), port=port)
        self.stdout.write(f"Fake Google APIs on http://127.0.0.1:{port}/ (Ctrl-C stops it)")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
        server.shutdown()
