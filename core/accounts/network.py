"""The client's address, as far as our own proxies vouch for it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Return the address of the client that sent ``request``.

    With ``MOSTRADOR_TRUSTED_PROXIES = 0`` X-Forwarded-For is ignored: anyone
    can send it, so it is the TCP peer (``REMOTE_ADDR``). With N proxies in
    front, each appending the address it saw, the N-th entry from the right is
    the one our outermost proxy wrote; entries to its left came from the client.
    This is the same rule as DRF's ``NUM_PROXIES`` (set from the same value), so
    the lockout and the API throttles agree on who the client is.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.MOSTRADOR_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return remote
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # Our own proxy never writes this: a misconfigured count. The peer, then.
        return remote
