from django.utils.functional import SimpleLazyObject

from core.models import Alert
from protocols.models import CrisisAlert


def alerts(request) -> dict:
    """The signed-in user's unread alerts count and the open crisis alerts,
    queried only if a template shows them."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "unread_alerts": SimpleLazyObject(lambda: Alert.objects.filter(recipient=user, read_at__isnull=True).count()),
        "open_crises": SimpleLazyObject(lambda: list(CrisisAlert.objects.filter(closed_at__isnull=True)[:3])),
    }
