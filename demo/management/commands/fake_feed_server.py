"""Serve the demo's fake feeds: a food blog and a forum (``make run`` starts it)."""

import signal

from django.core.management.base import BaseCommand

from demo.fakes.feeds import demo_state, serve


class Command(BaseCommand):
    help = "Serve two local fake feeds (a blog and a forum) for listening."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8779)

    def handle(self, *args, port, **options):
        state = demo_state()
        server = serve(state, port=port)
        self.stdout.write(f"Fake feeds on {state.url('/blog/feed.xml')} and {state.url('/foro/panaderias.rss')}")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
        server.shutdown()
