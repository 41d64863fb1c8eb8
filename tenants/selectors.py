import time

from django.conf import settings
from django.db import connection

from secretaria.lru import LRU
from tenants.models import ChannelRoute, Company, Domain


def company_list_active() -> list[Company]:
    return list(Company.objects.active().order_by("id"))


def schemas_existing() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def company_conflicts(*, slug: str, schema_name: str, domain: str) -> dict[str, str]:
    """Field -> message for each identifier already taken."""
    conflicts = {}
    if Company.objects.filter(slug=slug).exists() or schema_name in schemas_existing():
        conflicts["slug"] = "Já existe uma empresa com este identificador."
    if Domain.objects.filter(domain=domain).exists():
        conflicts["domain"] = "Este domínio já está em uso."
    return conflicts


def company_for_route(*, provider: str, external_id: str) -> Company | None:
    route = ChannelRoute.objects.select_related("company").filter(provider=provider, external_id=external_id).first()
    return route.company if route else None


def company_current() -> Company:
    """The company whose schema is active (a real row, even under `schema_context`)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Company):
        return tenant
    return Company.objects.get(schema_name=connection.schema_name)


# host -> (valid until, company); bounded: a process serving a fleet keeps the hosts it saw last.
_HOST_CACHE: LRU[str, tuple[float, Company]] = LRU(lambda: settings.COMPANY_CACHE_MAX_ENTRIES)
HOST_CACHE_SECONDS = 10.0


def company_for_host(hostname: str) -> Company:
    """The company served on `hostname` (raises Domain.DoesNotExist).

    Remembered per process for a few seconds: every webhook would otherwise pay a query.
    A suspension or a domain change reaches other processes within HOST_CACHE_SECONDS.
    """
    now = time.monotonic()
    cached = _HOST_CACHE.get(hostname)
    if cached and cached[0] > now:
        return cached[1]
    company = Domain.objects.select_related("tenant").get(domain=hostname).tenant
    _HOST_CACHE.set(hostname, (now + HOST_CACHE_SECONDS, company))
    return company


def company_host_cache_clear() -> None:
    _HOST_CACHE.clear()
