"""HMAC signature helpers shared by connectors."""

import hashlib
import hmac


def hmac_sha256_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(*, secret: str, body: bytes, header_value: str | None, prefix: str = "sha256=") -> bool:
    """Constant-time check of a ``sha256=<hex>`` header against the body's HMAC."""
    if not secret or not header_value or not header_value.startswith(prefix):
        return False
    expected = prefix + hmac_sha256_hex(secret, body)
    return hmac.compare_digest(expected.encode(), header_value.strip().encode())


def hmac_sha256_base64(secret: str, body: bytes) -> str:
    """Base64 HMAC-SHA256, as X signs Account Activity deliveries and CRC answers."""
    import base64

    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
