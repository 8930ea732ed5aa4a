"""Encryption at rest for channel credentials (Fernet, keys from settings)."""

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    # Any string can be a key: a Fernet key is derived from it, so SECRET_KEY
    # works as a default and FIELD_ENCRYPTION_KEYS can rotate (newest first).
    keys = [
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))
        for key in settings.FIELD_ENCRYPTION_KEYS
    ]
    return MultiFernet(keys)


def encrypt_json(value: dict) -> str:
    return _fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict:
    """Return the dict sealed in ``token``; raises ``ValueError`` if no key opens it."""
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ValueError("Credentials cannot be decrypted with the configured keys.") from exc
