from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from secretaria.observability.views import healthz, metrics, readyz

ops_urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
]

schema_urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
