"""Sections the apps above add to the Security page (their per-person settings).

Core never imports them: an app registers a callable in ``AppConfig.ready()``
that takes the request and returns the HTML of its section (or "" for none).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

Section = Callable[[HttpRequest], str]
_sections: list[Section] = []


def register(section: Section) -> None:
    if section not in _sections:
        _sections.append(section)


def sections_render(request: HttpRequest) -> list[SafeString]:
    """Each registered section's HTML (rendered by its app's template), in registration order."""
    return [SafeString(html) for section in _sections if (html := section(request))]
