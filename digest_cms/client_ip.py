"""The address a request really comes from, believing X-Forwarded-For only from the proxies in TRUSTED_PROXIES.

Each proxy appends the address it was connected from to X-Forwarded-For. Reading the header
from the right, every entry added by a trusted proxy is what that proxy saw; the first entry
that is not itself a trusted proxy is the client. Entries further left were written by the
client (or by proxies we do not know) and are never believed, so a forged header cannot make
one address look like many, nor many like someone else's.

Only the proxies' own addresses belong in TRUSTED_PROXIES: with a whole network listed, any client
inside it is "a proxy" too and may claim any address (a system check warns, `checks.py`).
"""

import ipaddress
from functools import cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]  # [2001:db8::1]:443
    elif value.count(":") == 1:
        value = value.split(":")[0]  # 203.0.113.7:51234
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped  # ::ffff:203.0.113.7 from a dual-stack socket
    return address


def forwarded_client(*, remote_addr: str, forwarded_for: str, trusted: tuple[str, ...]) -> str:
    """The client's address given the connection's address, the X-Forwarded-For header and the trusted proxies."""
    networks = _trusted_networks(trusted)

    def is_trusted(address: Address) -> bool:
        return any(address in network for network in networks if network.version == address.version)

    client = _parse(remote_addr)
    if client is None:
        return remote_addr
    for entry in reversed(forwarded_for.split(",") if forwarded_for else []):
        if not is_trusted(client):
            break
        hop = _parse(entry)
        if hop is None:
            # A trusted proxy would not write this: keep the last address a trusted proxy vouched for.
            break
        client = hop
    return str(client)


def client_ip(request) -> str:
    """The client's address for login throttling and logs (django-axes' AXES_CLIENT_IP_CALLABLE)."""
    return forwarded_client(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted=tuple(settings.TRUSTED_PROXIES),
    )


# Where the client's address is left in the WSGI environ for gunicorn's access log: %({digest.client_address}e)s.
ENVIRON_KEY = "digest.client_address"


class ClientAddressMiddleware:
    """Resolves the client's address once per request, for the access log (first in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # request.META is the server's WSGI environ itself: gunicorn reads it back when it logs the request.
        request.META[ENVIRON_KEY] = client_ip(request)
        return self.get_response(request)
