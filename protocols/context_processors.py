from django.utils.functional import SimpleLazyObject

from core.alerts import alerts_unread_count
from protocols.crisis import crises_banner


def alerts(request) -> dict:
    """The signed-in user's unread alerts count and the open crisis alerts, read
    only if a template shows them, and remembered between pages (both are
    forgotten when they change)."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "unread_alerts": SimpleLazyObject(lambda: alerts_unread_count(user=user)),
        "open_crises": SimpleLazyObject(crises_banner),
    }
