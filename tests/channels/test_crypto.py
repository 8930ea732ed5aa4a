import pytest
from django.db import connection

from channels.models import Channel

pytestmark = pytest.mark.django_db


def test_credentials_are_encrypted_at_rest(web_channel):
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM channels_channel WHERE id = %s", [web_channel.pk])
        [stored] = cursor.fetchone()
    assert "web-secret" not in stored
    assert Channel.objects.get(pk=web_channel.pk).credentials == {"secret": "web-secret"}


def test_keys_rotate(web_channel, settings):
    from channels import crypto

    settings.FIELD_ENCRYPTION_KEYS = ["new-key", *settings.FIELD_ENCRYPTION_KEYS]
    crypto._fernet.cache_clear()
    try:
        assert Channel.objects.get(pk=web_channel.pk).credentials == {"secret": "web-secret"}
        settings.FIELD_ENCRYPTION_KEYS = ["unrelated"]
        crypto._fernet.cache_clear()
        with pytest.raises(ValueError, match="cannot be decrypted"):
            Channel.objects.get(pk=web_channel.pk)
    finally:
        crypto._fernet.cache_clear()
