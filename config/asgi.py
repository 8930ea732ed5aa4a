"""The web process: Django under an ASGI server (uvicorn workers under gunicorn, ``make web``).

``/live/`` (Server-Sent Events, ``inbox/live.py``) is answered in front of
Django's handler, so that an open page holds a queue on the event loop and no
thread; every other path goes to Django.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

from inbox import live  # noqa: E402 - needs the apps loaded by get_asgi_application()


async def application(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == live.PATH:
        await live.app(scope, receive, send)
    else:
        await django_application(scope, receive, send)
