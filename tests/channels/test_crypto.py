import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from channels import crypto
from channels.models import Channel
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


def test_credentials_are_encrypted_at_rest(web_channel):
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM channels_channel WHERE id = %s", [web_channel.pk])
        [stored] = cursor.fetchone()
    assert "web-secret" not in stored
    assert Channel.objects.get(pk=web_channel.pk).credentials == {"secret": "web-secret"}


def test_keys_rotate(web_channel, settings):
    settings.FIELD_ENCRYPTION_KEYS = ["new-key", *settings.FIELD_ENCRYPTION_KEYS]
    assert Channel.objects.get(pk=web_channel.pk).credentials == {"secret": "web-secret"}
    settings.FIELD_ENCRYPTION_KEYS = ["unrelated"]
    with pytest.raises(ValueError, match="cannot be decrypted"):
        Channel.objects.get(pk=web_channel.pk)


def test_credentials_survive_a_secret_key_rotation(settings, db):
    settings.FIELD_ENCRYPTION_KEYS = ["credentials-key"]
    settings.SECRET_KEY = "old-secret-key"
    channel = ChannelFactory(kind="web", key="rotating", credentials={"secret": "s3cret"})
    settings.SECRET_KEY = "brand-new-secret-key"
    assert Channel.objects.get(pk=channel.pk).credentials == {"secret": "s3cret"}
    assert crypto.credentials_key_check() == []


def test_refuses_to_start_when_stored_credentials_cannot_be_decrypted(settings, db):
    settings.FIELD_ENCRYPTION_KEYS = ["the-old-key"]
    ChannelFactory(kind="web", name="Web Panadería", key="sealed", credentials={"secret": "s"})
    settings.FIELD_ENCRYPTION_KEYS = ["a-new-key"]  # e.g. SECRET_KEY rotated with no explicit key
    ChannelFactory(kind="web", name="Nuevo", key="new", credentials={"secret": "n"})
    [error] = crypto.credentials_key_check()
    assert error.id == "channels.E001"
    assert "Web Panadería" in error.msg and "Nuevo" not in error.msg
    assert "FIELD_ENCRYPTION_KEYS" in error.hint
    with pytest.raises(SystemCheckError, match=r"channels\.E001"):
        call_command("check")
    # Listing the old key too (newest first) lets it start again.
    settings.FIELD_ENCRYPTION_KEYS = ["a-new-key", "the-old-key"]
    assert crypto.credentials_key_check() == []
    call_command("check")


def test_deploy_check_wants_an_explicit_credentials_key(settings, db):
    settings.FIELD_ENCRYPTION_KEYS = [settings.SECRET_KEY]
    assert [w.id for w in crypto.credentials_key_deploy_check()] == ["channels.W001"]
    settings.FIELD_ENCRYPTION_KEYS = ["explicit"]
    assert crypto.credentials_key_deploy_check() == []
