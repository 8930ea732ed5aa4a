"""Django admin permissions for the roles, granted after every migrate.

The roles' rules live in ``core.roles``; the admin needs model permissions
as well, so the Community Manager (the only staff role) can manage channels and
categories there, and read — never delete — what users wrote.
"""

from django.contrib.auth.models import Group, Permission

ADMIN_PERMISSIONS = {
    "community_manager": [
        "channels.view_channel",
        "channels.change_channel",
        "channels.add_channel",
        "channels.view_inboundevent",
        "protocols.view_category",
        "protocols.change_category",
        "protocols.add_category",
        "inbox.view_contact",
        "inbox.view_conversation",
        "inbox.view_message",
        "inbox.view_conversationevent",
    ],
}


def grant_admin_permissions(**kwargs) -> None:
    for group_name, codenames in ADMIN_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)
