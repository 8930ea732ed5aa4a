"""Serve the demo's fake X API (``make run`` starts it; nothing here reaches x.com)."""

import signal

from django.core.management.base import BaseCommand

from demo.fakes.x_api import demo_state, serve


class Command(BaseCommand):
    help = "Serve a local fake X API with demo mentions, DMs and search results."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, port, **options):
        server = serve(demo_state(), port=port)
        self.stdout.write(f"Fake X API on http://127.0.0.1:{port}/2/ (Ctrl-C stops it)")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
        server.shutdown()
