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
