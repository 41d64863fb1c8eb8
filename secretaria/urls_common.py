from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from secretaria.observability.views import healthz, metrics, readyz


class SchemaView(SpectacularAPIView):
    """The schema of the host asked: the public host's URLs there, a company's on a company's host.

    django-tenants routes the public host through `request.urlconf`; drf-spectacular would
    otherwise describe ROOT_URLCONF (the company URLs) on every host.
    """

    def _get_schema_response(self, request):
        self.urlconf = getattr(request, "urlconf", None)
        return super()._get_schema_response(request)


ops_urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
]

schema_urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
]
