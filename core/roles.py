"""The four roles of the trade, as Django groups, and what each may do.

- gestor: reads the inbox and replies;
- supervisor: also assigns and reassigns;
- community_manager: also manages channels (and, later, protocols);
- owner: reads everything, replies to nobody.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GESTOR = "gestor", _("Gestor")
    SUPERVISOR = "supervisor", _("Supervisor")
    COMMUNITY_MANAGER = "community_manager", _("Community Manager")
    OWNER = "owner", _("Owner")


REPLIERS = {Role.GESTOR, Role.SUPERVISOR, Role.COMMUNITY_MANAGER}
ASSIGNERS = {Role.SUPERVISOR, Role.COMMUNITY_MANAGER}
CHANNEL_MANAGERS = {Role.COMMUNITY_MANAGER}


def user_roles(user: Any) -> set[str]:
    """Return the role names of ``user`` (cached on the instance); superusers hold them all."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_mostrador_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = {role.value for role in Role}
        else:
            from core.memo import remembered

            cached = remembered(
                "roles",
                user.pk,
                lambda: set(user.groups.filter(name__in=Role.values).values_list("name", flat=True)),
            )
        user._mostrador_roles = cached
    return cached


def has_any_role(user, roles) -> bool:
    return bool(user_roles(user) & {str(role) for role in roles})


def can_view_inbox(user) -> bool:
    return bool(user_roles(user))


def can_reply(user) -> bool:
    return has_any_role(user, REPLIERS)


def can_assign(user) -> bool:
    return has_any_role(user, ASSIGNERS)


def can_manage_channels(user) -> bool:
    return has_any_role(user, CHANNEL_MANAGERS)


PROTOCOL_MANAGERS = {Role.COMMUNITY_MANAGER}


def can_manage_protocol(user) -> bool:
    """Edit categories, rules, deadlines, escalation: the Community Manager."""
    return has_any_role(user, PROTOCOL_MANAGERS)


def can_manage_rota(user) -> bool:
    """Build teams and the rota: supervisors and the Community Manager."""
    return has_any_role(user, ASSIGNERS)


def can_hide(user) -> bool:
    """Hide offensive comments on the network: supervisors, the CM, and gestores given the permission."""
    return can_assign(user) or (can_reply(user) and user.has_perm("inbox.hide_message"))
