"""The caller's IP address, for decisions that depend on who is asking (login lockouts, /metrics).

X-Forwarded-For counts only behind our own proxy (TRUST_X_FORWARDED_FOR), else anyone could
forge it; the address is then read from the right, the entry our proxy appended,
`TRUSTED_PROXY_HOPS` from the end. The left-most entries are whatever the client sent.
The webhooks' rate limits key on it too (conversations.core.limits).
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not settings.TRUST_X_FORWARDED_FOR or not forwarded:
        return remote
    hops = [part.strip() for part in forwarded.split(",") if part.strip()]
    depth = max(1, settings.TRUSTED_PROXY_HOPS)
    if len(hops) < depth:
        return remote
    return _valid_ip(hops[-depth]) or remote


def ip_in_networks(ip: str, networks: list[str]) -> bool:
    """Whether `ip` is inside one of `networks` (CIDR strings); False for anything unparsable."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
