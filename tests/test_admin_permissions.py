import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_cm_manages_channels_in_the_admin_but_deletes_nothing(client, cm, conversation):
    call_command("migrate", verbosity=0)  # post_migrate grants the admin permissions
    cm.is_staff = True
    cm.save()
    client.force_login(cm)
    assert client.get("/admin/channels/channel/").status_code == 200
    assert client.get(f"/admin/channels/channel/{conversation.channel.pk}/change/").status_code == 200
    assert client.get(f"/admin/inbox/conversation/{conversation.pk}/change/").status_code == 200
    assert client.get(f"/admin/inbox/conversation/{conversation.pk}/delete/").status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403
