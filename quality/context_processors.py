from django.utils.functional import SimpleLazyObject

from quality.selectors import reviews_unread_count


def reviews(request) -> dict:
    """The signed-in user's reviews not yet acknowledged, counted only if a template shows them."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"unread_reviews": SimpleLazyObject(lambda: reviews_unread_count(user=user))}
