"""Encryption at rest for channel credentials (Fernet, keys from settings)."""

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    # Any string can be a key: a Fernet key is derived from it, so SECRET_KEY
    # works as a default and FIELD_ENCRYPTION_KEYS can rotate (newest first).
    return MultiFernet([Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest())) for key in keys])


def _fernet() -> MultiFernet:
    """The keys configured now (settings may change in tests; each set is built once)."""
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_json(value: dict) -> str:
    return _fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict:
    """Return the dict sealed in ``token``; raises ``ValueError`` if no key opens it."""
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ValueError("Credentials cannot be decrypted with the configured keys.") from exc


def _opens(token: str) -> bool:
    try:
        _fernet().decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def credentials_key_deploy_check(app_configs=None, **kwargs) -> list:
    """Deploy check: the credentials key must not be just ``SECRET_KEY``."""
    from django.core.checks import Warning

    if list(settings.FIELD_ENCRYPTION_KEYS) != [settings.SECRET_KEY]:
        return []
    return [
        Warning(
            "Channel credentials are encrypted with SECRET_KEY.",
            hint="Set FIELD_ENCRYPTION_KEYS explicitly (to the current SECRET_KEY, to keep what is stored): "
            "rotating SECRET_KEY would otherwise make every stored credential unreadable.",
            id="channels.W001",
        )
    ]


def credentials_key_check(app_configs=None, **kwargs) -> list:
    """System check: refuse to start (``check``, ``migrate``, ``runserver``)
    when stored channel credentials cannot be decrypted with the configured keys.

    Without the key that sealed them, every channel would fail on its first
    webhook or reply; this says so before anything starts. A database that
    cannot be read yet (not migrated, not reachable) is not checked.
    """
    from django.core.checks import Error
    from django.db import DatabaseError
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from channels.models import Channel

    try:
        # The column as stored (the field itself would decrypt, and raise).
        stored = Channel.objects.annotate(sealed=Cast("credentials", TextField())).values_list("name", "sealed")
        unreadable = sorted(name for name, token in stored if token and not _opens(token))
    except DatabaseError:
        return []
    if not unreadable:
        return []
    return [
        Error(
            f"The credentials of {len(unreadable)} channel(s) cannot be decrypted with FIELD_ENCRYPTION_KEYS: "
            + ", ".join(unreadable),
            hint="They were encrypted with a key that is not configured. If SECRET_KEY was rotated and "
            "FIELD_ENCRYPTION_KEYS was not set, list the old SECRET_KEY in FIELD_ENCRYPTION_KEYS "
            "(newest first: 'new-key,old-key'); Mostrador will not start until every channel can be read.",
            id="channels.E001",
        )
    ]
