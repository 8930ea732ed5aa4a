"""A tiny JSON HTTP server for the local fakes of network APIs (demo and tests).

``serve(state)`` runs it in a thread; ``state.handle(method, path, query, body)``
answers with ``(status, headers, payload)``.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def serve(state, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Start the fake API in a thread; its address is ``server.server_address``."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            url = urlparse(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            content_type = self.headers.get("Content-Type", "")
            body: dict | None
            if raw and content_type.startswith("application/x-www-form-urlencoded"):
                # An OAuth token request: its fields, as the fake needs them.
                body = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
            elif raw and not content_type.startswith("application/json") and not raw.lstrip().startswith(b"{"):
                # A file upload (multipart) or a form: what the fake needs is that it came, and its size.
                body = {"_content_type": content_type, "_length": len(raw)}
            else:
                body = json.loads(raw or b"{}") if raw else None
            status, headers, payload = state.handle(method, url.path, query, body)
            # Bytes are sent as they are (pictures), with the Content-Type the fake gives.
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            if status == 204:
                data = b""
            self.send_response(status)
            if not isinstance(payload, bytes):
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._answer("GET")

        def do_POST(self):
            self._answer("POST")

        def do_PUT(self):
            self._answer("PUT")

        def do_DELETE(self):
            self._answer("DELETE")

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    if hasattr(state, "base_url"):
        state.base_url = "http://{}:{}".format(*server.server_address[:2])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def png(width: int = 160, height: int = 120, rgb: tuple[int, int, int] = (214, 150, 80)) -> bytes:
    """A small PNG picture (a shaded block), for fake network media."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(
        b"\x00" + bytes(max(0, min(255, c - (y * 60) // height)) for _x in range(width) for c in rgb)
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
