import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView

from secretaria.client_ip import client_ip, ip_in_networks
from secretaria.observability import health


@never_cache
def healthz(request):
    """Liveness: the process answers. Nothing else is checked."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Readiness: PostgreSQL, Redis, a Celery worker and a fresh beat heartbeat."""
    ok, components = health.run_checks()
    return JsonResponse({"status": "ok" if ok else "fail", "components": components}, status=200 if ok else 503)


@never_cache
def metrics(request):
    """Prometheus text, for the configured bearer token (METRICS_TOKEN) or the allowed networks only:
    it names every company's schema and the platform's traffic."""
    if not _metrics_allowed(request):
        return HttpResponse("Forbidden", status=403, content_type="text/plain")
    return ExportToDjangoView(request)


def _metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer "):
        return hmac.compare_digest(given.removeprefix("Bearer ").strip().encode(), token.encode())
    return ip_in_networks(client_ip(request), settings.METRICS_ALLOWED_NETS)
