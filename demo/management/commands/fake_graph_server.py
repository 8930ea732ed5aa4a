"""Serve the demo's fake Graph API (``make run`` starts it; nothing here reaches Meta)."""

import signal

from django.core.management.base import BaseCommand

from demo.fakes.graph_api import demo_state, serve


class Command(BaseCommand):
    help = "Serve a local fake Graph API: replies, private replies, hides, profile and mention look-ups."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8766)

    def handle(self, *args, port, **options):
        server = serve(demo_state(), port=port)
        self.stdout.write(f"Fake Graph API on http://127.0.0.1:{port}/ (Ctrl-C stops it)")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
        server.shutdown()
