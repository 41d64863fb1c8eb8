"""Checking a base URL a company types in (its LLM server, its Whaticket, its Cal.com API)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

BASE_URL_MAX = 200  # the URLFields that store them have Django's default max_length
INVALID = "Informe uma URL válida, começando com http:// ou https://."
INTERNAL = ("Este endereço aponta para uma rede interna, o que esta instalação não permite; "
            "use um endereço público.")
UNRESOLVED = "Não foi possível encontrar esse endereço (DNS); confira o nome do servidor."


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a service's base URL (pt-BR, for the form), or None. Hostnames without
    a dot (Docker service names like `http://ollama:11434/v1`) are fine, unlike Django's URLValidator."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return INVALID
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return INVALID
    if parts.username or parts.password:
        return "Não coloque usuário ou senha na URL; use o campo da chave de API."
    if len(url) > BASE_URL_MAX:
        return f"Use no máximo {BASE_URL_MAX} caracteres."
    if not settings.ALLOW_PRIVATE_BASE_URLS:
        return address_problem(parts.hostname, parts.port)
    return None


def address_problem(hostname: str, port: int | None) -> str | None:
    """On a hosted platform a company must not make our servers call inside our own network
    (server-side request forgery): every address the name resolves to must be public.

    Checked when the URL is saved; a name re-pointed later (DNS rebinding) is for the
    network's egress rules to stop, as docs/deploy.md says."""
    try:
        infos = socket.getaddrinfo(hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return UNRESOLVED
    addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    if not addresses or any(not _is_public(address) for address in addresses):
        return INTERNAL
    return None


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.0.0.1 is 10.0.0.1
    return (mapped or address).is_global
