"""Small facts about a user read on every page (their roles, whether they have a
second factor), remembered in the cache for a few minutes so a page does not ask
the database each time. Every change that alters them forgets them (signals
connected in ``CoreConfig.ready()``); a cache that is down only costs the query."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)
SECONDS = 300


def remembered(kind: str, user_id: int, compute: Callable[[], Any]) -> Any:
    key = f"memo:{kind}:{user_id}"
    try:
        value = cache.get(key)
    except Exception:
        logger.debug("Cache unavailable; asking the database.", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, SECONDS)
        except Exception:
            logger.debug("Cache unavailable; not remembered.", exc_info=True)
    return value


def forget(kind: str, user_id: int | None) -> None:
    if user_id is None:
        return
    try:
        cache.delete(f"memo:{kind}:{user_id}")
    except Exception:
        logger.warning("Cache unavailable; %s of user %s may be stale for %s s.", kind, user_id, SECONDS, exc_info=True)


def forget_roles(sender, instance=None, action="", pk_set=None, reverse=False, **kwargs) -> None:
    """``m2m_changed`` on user groups (either side) and ``post_save`` of a user."""
    if action and not action.startswith("post_"):
        return
    if reverse and pk_set:  # a group's users changed
        for user_id in pk_set:
            forget("roles", user_id)
    elif instance is not None:
        if reverse:  # a whole group changed: its members
            for user_id in instance.user_set.values_list("pk", flat=True):
                forget("roles", user_id)
        else:
            forget("roles", instance.pk)


def forget_devices(sender, instance=None, **kwargs) -> None:
    """A second-factor device saved or deleted."""
    forget("has_device", getattr(instance, "user_id", None))
