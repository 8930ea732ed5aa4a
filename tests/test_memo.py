"""What pages remember of a user (roles, second factor) is forgotten when it changes."""

import pytest
from django.contrib.auth.models import Group

from core import roles

pytestmark = pytest.mark.django_db


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # a new request's user: nothing cached on the instance


def test_roles_are_remembered_and_forgotten_when_groups_change(gestor, django_assert_num_queries):
    assert roles.user_roles(_fresh(gestor)) == {"gestor"}
    user = _fresh(gestor)
    with django_assert_num_queries(0):
        assert roles.user_roles(user) == {"gestor"}
    gestor.groups.add(Group.objects.get_or_create(name="supervisor")[0])
    assert roles.user_roles(_fresh(gestor)) == {"gestor", "supervisor"}
    Group.objects.get(name="supervisor").user_set.remove(gestor)
    assert roles.user_roles(_fresh(gestor)) == {"gestor"}
    gestor.groups.clear()
    assert roles.user_roles(_fresh(gestor)) == set()


def test_a_new_second_factor_is_asked_for_at_once(client, gestor):
    client.force_login(gestor)
    assert client.get("/").status_code == 200  # remembered: no device
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=gestor, name="app", confirmed=True)  # set up elsewhere (the admin)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-code"))
