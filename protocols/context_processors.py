from django.utils.functional import SimpleLazyObject

from protocols.models import Alert


def alerts(request) -> dict:
    """The signed-in user's unread alerts count, queried only if a template shows it."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "unread_alerts": SimpleLazyObject(lambda: Alert.objects.filter(recipient=user, read_at__isnull=True).count())
    }
