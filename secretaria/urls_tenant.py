"""URLs of a company's host: its admin, its API, its webhooks, operations.

The apps' URL modules are named by dotted path (see urls_public.py).
"""

from django.urls import include, path

from secretaria.admin_sites import tenant_admin
from secretaria.urls_common import ops_urlpatterns, schema_urlpatterns

# A path under /api/ that matches no route answers the API's JSON 404 (the OpenAPI schema says so).
handler404 = "secretaria.api.not_found"

urlpatterns = [
    # The webhooks first: they are most of the traffic, and every pattern tried costs each of them.
    path("", include("conversations.api.webhook_urls")),
    path("", include("agenda.api.webhook_urls")),
    *ops_urlpatterns,
    path("admin/", tenant_admin.urls),
    path("api/", include("accounts.api.urls")),
    path("api/", include("tenants.api.urls")),
    path("api/", include("conversations.api.urls")),
    path("api/", include("agenda.api.urls")),
    path("api/", include("compliance.api.urls")),
    path("api/", include("billing.urls")),
    path("api/", include("analytics.urls")),
    path("api/", include("templates.urls")),
    path("api/", include(schema_urlpatterns)),
]
