import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM must
# still be allowed to run here (the live server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class AsgiLiveServer:
    """The live server the browser tests use: the production web process's ASGI
    application (``config.asgi``, with ``/live/`` in front of Django) on uvicorn,
    in a thread. Django's own live server is WSGI and could not stream ``/live/``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        import socket
        import threading

        import uvicorn
        from django.db import connections
        from django.test.utils import modify_settings

        from config.asgi import application

        # Each request runs its middleware and view in a thread that ends with it:
        # its connection must close with the request, not linger until teardown.
        self._databases = connections.settings["default"]
        self._max_age = self._databases.get("CONN_MAX_AGE", 0)
        self._databases["CONN_MAX_AGE"] = 0
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, 0))
        self.host, self.port = self.socket.getsockname()
        config = uvicorn.Config(
            application, lifespan="off", log_level="warning", ws="none", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)
        self._live_server_modified_settings = modify_settings(ALLOWED_HOSTS={"append": host})
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            self.thread.join(0.05)
        if not self.server.started:
            raise RuntimeError("uvicorn did not start")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.url

    def __add__(self, other: str) -> str:
        return f"{self}{other}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()
        self._databases["CONN_MAX_AGE"] = self._max_age


@pytest.fixture(scope="session")
def live_server(django_db_setup, django_db_blocker):
    """Replaces pytest-django's: the ASGI application on uvicorn (see ``AsgiLiveServer``)."""
    with django_db_blocker.unblock():
        server = AsgiLiveServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def signed_in(browser, live_server):
    """A desktop page signed in as ``user`` (closed after the test)."""
    from tests.factories import PASSWORD

    pages = []
    violations = []

    def open_page(user, viewport=None):
        page = browser.new_page(viewport=viewport or {"width": 1366, "height": 900})
        pages.append(page)
        # Chromium reports what the Content-Security-Policy blocked on the console.
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
            ),
        )
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_page
    for page in pages:
        page.close()
    assert not violations, "The Content-Security-Policy blocked something:\n" + "\n".join(violations)
