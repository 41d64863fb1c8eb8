"""Checking a base URL a company types in (its LLM server, its Cal.com API)."""

from urllib.parse import urlsplit

BASE_URL_MAX = 200  # the URLFields that store them have Django's default max_length


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a service's base URL (pt-BR, for the form), or None. Hostnames without
    a dot (Docker service names like `http://ollama:11434/v1`) are fine, unlike Django's URLValidator."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "Informe uma URL válida, começando com http:// ou https://."
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return "Informe uma URL válida, começando com http:// ou https://."
    if parts.username or parts.password:
        return "Não coloque usuário ou senha na URL; use o campo da chave de API."
    if len(url) > BASE_URL_MAX:
        return f"Use no máximo {BASE_URL_MAX} caracteres."
    return None
