"""How people are named on the pages: `{{ user|person }}`.

A user may be missing (a note written by the system, an author since removed);
Django resolves a filter's *arguments* strictly, so
`{{ u.get_full_name|default:u.username }}` raises when `u` is None. This
filter never does.
"""

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def person(user: Any, fallback: str = "") -> str:
    """The user's full name, else the username; `fallback` (default: Mostrador,
    the system itself) when there is no user."""
    if user is None or not getattr(user, "pk", None):
        return fallback or _("Mostrador")
    return user.get_full_name() or user.get_username()
