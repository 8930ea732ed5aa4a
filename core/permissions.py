"""REST framework permissions built on the roles."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core import roles


class IsStaffRole(BasePermission):
    """Any Mostrador role may read; writes are checked per action."""

    message = "You need a Mostrador role (gestor, supervisor, community manager or owner)."

    def has_permission(self, request, view) -> bool:
        return roles.can_view_inbox(request.user)


class CanReply(BasePermission):
    message = "Only gestores, supervisors and the community manager can reply."

    def has_permission(self, request, view) -> bool:
        return roles.can_reply(request.user)


class CanAssign(BasePermission):
    message = "Only supervisors and the community manager can assign."

    def has_permission(self, request, view) -> bool:
        return roles.can_assign(request.user)


class CanManageChannelsOrReadOnly(BasePermission):
    message = "Only the community manager can manage channels."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return roles.can_view_inbox(request.user)
        return roles.can_manage_channels(request.user)


class CanManageProtocolOrReadOnly(BasePermission):
    message = "Only the community manager can change the protocol."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return roles.can_view_inbox(request.user)
        return roles.can_manage_protocol(request.user)


class CanManageRotaOrReadOnly(BasePermission):
    message = "Only supervisors and the community manager can change teams and the rota."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return roles.can_view_inbox(request.user)
        return roles.can_manage_rota(request.user)
