from django.urls import get_script_prefix, get_urlconf, reverse

from core import roles as role_rules


def roles(request) -> dict:
    """What the signed-in user may do, for templates to show or hide actions."""
    user = request.user
    return {
        "can_reply": role_rules.can_reply(user),
        "can_assign": role_rules.can_assign(user),
        "can_manage_channels": role_rules.can_manage_channels(user),
        "can_manage_protocol": role_rules.can_manage_protocol(user),
        "user_roles": role_rules.user_roles(user),
    }


# The addresses of the navigation every page shows: reversed once per process
# (and script prefix), not 17 times per page.
NAV = {
    "inbox": "inbox:list",
    "live": "inbox:live",
    "channels": "channels:list",
    "listening": "listening:stream",
    "teams": "teams:list",
    "supervision": "supervision",
    "reports": "reports:weekly",
    "quality": "quality:queue",
    "my_reviews": "quality:mine",
    "protocol": "protocols:manual",
    "alerts": "alerts:list",
    "api_docs": "api-docs",
    "security": "accounts:security",
    "admin": "admin:index",
    "set_language": "set_language",
    "logout": "logout",
}
_nav: dict[tuple, dict[str, str]] = {}


def nav(request) -> dict:
    """``nav.<name>``: the address of each page in the navigation."""
    key = (get_script_prefix(), get_urlconf())
    urls = _nav.get(key)
    if urls is None:
        urls = _nav[key] = {name: reverse(view) for name, view in NAV.items()}
    return {"nav": urls}
