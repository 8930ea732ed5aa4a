"""WSGI entry point of the HTTP benchmarks: the app under ``_settings`` (bench URLs added)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "_settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
