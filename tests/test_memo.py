"""What pages remember of a user (roles, second factor) is forgotten when it changes."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

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


class _Recorder:
    """The cache, with the keys asked for one by one and together written down."""

    def __init__(self, cache):
        self.cache, self.one, self.together = cache, [], []

    def get(self, key, *args, **kwargs):
        self.one.append(key)
        return self.cache.get(key, *args, **kwargs)

    def get_many(self, keys, *args, **kwargs):
        self.together.append(list(keys))
        return self.cache.get_many(keys, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.cache, name)


def test_a_page_reads_what_every_page_reads_in_one_round_trip(client, gestor, monkeypatch):
    from core import memo

    client.force_login(gestor)
    assert client.get("/").status_code == 200  # remembers roles, device, alerts, reviews, crises, views
    recorder = _Recorder(memo.cache)
    monkeypatch.setattr(memo, "cache", recorder)
    assert client.get("/").status_code == 200
    assert recorder.one == []
    (together,) = recorder.together
    assert {f"memo:roles:{gestor.pk}", f"memo:unread_alerts:{gestor.pk}", "memo:open_crises:0"} <= set(together)


def test_what_a_request_forgets_it_reads_again(gestor):
    from core import memo

    token = memo._request.set({})  # as PrefetchMiddleware does for a request
    try:
        assert memo.remembered("unread_alerts", gestor.pk, lambda: 0) == 0
        assert memo.remembered("unread_alerts", gestor.pk, lambda: 5) == 0  # this request's copy
        memo.forget("unread_alerts", gestor.pk)  # e.g. the request marked them read
        assert memo.remembered("unread_alerts", gestor.pk, lambda: 5) == 5
    finally:
        memo._request.reset(token)


def test_a_badge_follows_alerts_read_and_created(client, gestor):
    from core.alerts import alerts_create
    from core.models import Alert

    client.force_login(gestor)
    client.get("/")
    alerts_create(alerts=[Alert(recipient=gestor, kind=Alert.Kind.CHANNEL, text="Canal caído")])
    assert 'data-testid="unread-alerts">1<' in client.get("/").content.decode()
    client.post(reverse("alerts:read"))
    assert 'data-testid="unread-alerts"' not in client.get("/").content.decode()
