"""The client's address, for logging, login lockouts (django-axes) and rate limits alike.

Behind nginx every request comes from the proxy's address, so ``REMOTE_ADDR`` alone would key
every visitor alike. ``X-Forwarded-For`` is read only when the request comes from one of
``TRUSTED_PROXIES`` (default: the loopback): its entries are walked from the right (each proxy
appends the address it received the request from) past further trusted proxies, and the first
address that is not a trusted proxy is the client. Whatever a client writes into the header
itself sits to the left of that and is never used.

django-ipware picks an address out of the header without asking who connected, so a client that
reaches the app server directly could choose its own address; hence this small function.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[::1]:1234"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "1.2.3.4:1234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address, networks) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str | None:
    """The client's address as a string (``None`` only when the request has no address)."""
    if request is None:
        return None
    meta = request.META
    peer = _address(meta.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ("127.0.0.1", "::1"))))
    if not _trusted(peer, networks):
        return str(peer)
    client = peer
    for entry in reversed((meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")):
        address = _address(entry)
        if address is None:
            break  # garbage: nothing further left can be trusted either
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
