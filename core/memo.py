"""Small facts read on every page (a user's roles, whether they have a second
factor, their unread alerts; the open crises), remembered in the cache for a
few minutes so a page does not ask the database each time. Every change that
alters them forgets them (signals connected in ``CoreConfig.ready()``, or the
service that changes them); a cache that is down only costs the query.

The kinds every page reads are registered with ``read_on_every_page``; the
``PrefetchMiddleware`` asks the cache for all of them in one round trip at the
start of a signed-in request, and ``remembered`` answers from that for the
rest of the request (``forget`` drops the request's copy too)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)
SECONDS = 300
# (kind, per user?) of the facts every page reads.
_every_page: dict[str, bool] = {}
# This request's copy of them: key → value (a key absent was not in the cache).
_request: ContextVar[dict[str, Any] | None] = ContextVar("memo_request", default=None)


def _key(kind: str, user_id: int) -> str:
    return f"memo:{kind}:{user_id}"


def read_on_every_page(kind: str, *, per_user: bool = True) -> None:
    """Fetch ``kind`` with the other facts every page reads (one round trip);
    ``per_user=False`` for a fact remembered once for everyone (user id 0)."""
    _every_page[kind] = per_user


def remembered(kind: str, user_id: int, compute: Callable[[], Any]) -> Any:
    key = _key(kind, user_id)
    local = _request.get()
    if local is not None and key in local:
        return local[key]
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
    if local is not None:
        local[key] = value
    return value


def forget(kind: str, user_id: int | None) -> None:
    """Forget now and, inside a transaction, again once it commits: a page read in
    between (which still sees the old rows) may have remembered the old value."""
    if user_id is None:
        return
    key = _key(kind, user_id)
    local = _request.get()
    if local is not None:
        local.pop(key, None)
    _delete(key, kind, user_id)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _delete(key, kind, user_id))


def _delete(key: str, kind: str, user_id: int) -> None:
    try:
        cache.delete(key)
    except Exception:
        logger.warning("Cache unavailable; %s of user %s may be stale for %s s.", kind, user_id, SECONDS, exc_info=True)


class PrefetchMiddleware:
    """Read every fact a page reads (``read_on_every_page``) in one round trip
    to the cache, for a signed-in person; after ``AuthenticationMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        keys = [_key(kind, user.pk if per_user else 0) for kind, per_user in _every_page.items()]
        try:
            found = cache.get_many(keys)
        except Exception:
            logger.debug("Cache unavailable; each fact is asked for on its own.", exc_info=True)
            found = {}
        token = _request.set(found)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


read_on_every_page("roles")  # core.roles.user_roles; forgotten by forget_roles


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
