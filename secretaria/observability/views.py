from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView

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
    return ExportToDjangoView(request)
