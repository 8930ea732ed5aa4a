"""A local fake of the open web's feeds (demo and tests): a blog and a forum.

Each path serves an RSS or Atom document with an ``ETag`` and a
``Last-Modified``; a request that sends them back unchanged gets ``304``.
Tests change a feed (``publish``), break it (``fail``) or serve any bytes.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass
class Feed:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    modified: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body, usedforsecurity=False).hexdigest()[:16] + '"'


@dataclass
class FakeFeeds:
    feeds: dict[str, Feed] = field(default_factory=dict)
    # path → (status, headers): the next answers are failures, until cleared.
    failures: dict[str, tuple[int, dict]] = field(default_factory=dict)
    requests: list[tuple[str, dict]] = field(default_factory=list)  # (path, conditional headers sent)
    base_url: str = ""

    def url(self, path: str) -> str:
        return self.base_url + path

    def serve_bytes(self, path: str, body: bytes, content_type: str = "application/rss+xml; charset=utf-8") -> str:
        self.feeds[path] = Feed(body=body, content_type=content_type)
        return self.url(path)

    def rss(self, path: str, title: str, items: list[dict]) -> str:
        """Serve an RSS 2.0 feed of ``items``: dicts of ``title``, ``link``, ``guid``,
        ``author``, ``description``, ``minutes_ago``."""
        return self.serve_bytes(path, rss_document(title, items))

    def fail(self, path: str, status: int, headers: dict | None = None) -> None:
        self.failures[path] = (status, headers or {})

    def recover(self, path: str) -> None:
        self.failures.pop(path, None)

    def answer(self, path: str, headers) -> tuple[int, dict, bytes]:
        self.requests.append((path, {k: headers[k] for k in ("If-None-Match", "If-Modified-Since") if headers.get(k)}))
        if path in self.failures:
            status, extra = self.failures[path]
            return status, extra, b"failure"
        feed = self.feeds.get(path)
        if feed is None:
            return 404, {}, b"not found"
        validators = {"ETag": feed.etag, "Last-Modified": format_datetime(feed.modified, usegmt=True)}
        if headers.get("If-None-Match") == feed.etag:
            return 304, validators, b""
        return 200, {**validators, "Content-Type": feed.content_type}, feed.body


def rss_document(title: str, items: list[dict], *, now: datetime | None = None) -> bytes:
    now = now or datetime.now(UTC)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>http://example.org/</link><description>{escape(title)}</description>",
    ]
    for item in items:
        parts.append("<item>")
        for tag in ("title", "link", "guid", "author", "description"):
            if item.get(tag):
                parts.append(f"<{tag}>{escape(item[tag])}</{tag}>")
        if "minutes_ago" in item:
            when = now - timedelta(minutes=item["minutes_ago"])
            parts.append(f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def serve(state: FakeFeeds, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Start the fake feeds in a thread; ``state.base_url`` says where."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, headers, body = state.answer(self.path.split("?")[0], self.headers)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    state.base_url = "http://{}:{}".format(*server.server_address[:2])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def demo_state() -> FakeFeeds:
    """The demo's two feeds: a food blog and a local forum where the bakery is discussed."""
    state = FakeFeeds()
    state.rss(
        "/blog/feed.xml",
        "Comer en Zaragoza",
        [
            {
                "title": "Las cinco mejores panaderías del barrio",
                "link": "http://127.0.0.1/blog/mejores-panaderias",
                "guid": "blog-mejores-panaderias",
                "author": "Lucía Gómez",
                "description": "<p>Empezamos por <b>La Espiga</b>: su hogaza de masa madre no tiene rival.</p>",
                "minutes_ago": 300,
            },
            {
                "title": "Horno Doré abre un segundo local",
                "link": "http://127.0.0.1/blog/horno-dore-segundo-local",
                "guid": "blog-horno-dore",
                "author": "Lucía Gómez",
                "description": "Horno Doré estrena tienda en la calle Mayor.",
                "minutes_ago": 900,
            },
            {
                "title": "Receta: roscón casero",
                "link": "http://127.0.0.1/blog/roscon",
                "guid": "blog-roscon",
                "description": "Nada que ver con panaderías concretas.",
                "minutes_ago": 1200,
            },
        ],
    )
    state.rss(
        "/foro/panaderias.rss",
        "Foro Zaragoza · Comer y beber",
        [
            {
                "title": "¿La Espiga abre el domingo?",
                "link": "http://127.0.0.1/foro/hilo/4711",
                "guid": "http://127.0.0.1/foro/hilo/4711",
                "author": "migas_aragon",
                "description": "Alguien sabe si LA ESPIGA abre los domingos por la mañana? Quiero encargar una tarta.",
                "minutes_ago": 45,
            },
            {
                "title": "Intoxicación tras comprar en la espiga",
                "link": "http://127.0.0.1/foro/hilo/4720",
                "guid": "http://127.0.0.1/foro/hilo/4720",
                "author": "carmen_z",
                "description": "Ayer compré empanada en la espiga y hoy estamos fatal toda la familia.",
                "minutes_ago": 20,
            },
        ],
    )
    return state
