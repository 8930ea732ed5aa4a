import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(api):
    def as_user(user):
        api.force_authenticate(user)
        return api

    return as_user
