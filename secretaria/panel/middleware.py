"""Admin pages in the company's time zone.

Django renders every datetime in the active time zone; the project's default is São Paulo,
but a company in Manaus or Recife reads its own hours. The zone belongs to the agenda
(its calendar settings), a floor above this one, so the agenda registers how to find it.
"""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from secretaria.registry import Registry

# name -> callable returning the current company's ZoneInfo (the agenda registers "calendar").
zone_resolvers: Registry[tuple[str, Callable[[], ZoneInfo]]] = Registry(key=lambda item: item[0])


def company_zone() -> ZoneInfo | None:
    """The current company's time zone, or None on the public host or with no resolver."""
    if connection.schema_name == "public":
        return None
    for _, resolve in zone_resolvers.all():
        return resolve()
    return None


class CompanyTimezoneMiddleware:
    """Activates the company's zone for admin pages (the API answers in ISO 8601 with offsets)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/admin/"):
            return self.get_response(request)
        zone = company_zone()
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)
