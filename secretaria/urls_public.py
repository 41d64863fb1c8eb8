"""URLs of the public host: platform admin, provisioning, platform auth, operations.

The apps' URL modules are named by dotted path, as INSTALLED_APPS names the apps:
the project configuration composes the apps without importing them, so the platform
layer never depends on the apps above it (see docs/architecture.md).
"""

from django.urls import include, path

from secretaria.admin_sites import public_admin
from secretaria.urls_common import ops_urlpatterns, schema_urlpatterns

# A path under /api/ that matches no route answers the API's JSON 404 (the OpenAPI schema says so).
handler404 = "secretaria.api.not_found"

urlpatterns = [
    path("", include("conversations.api.webhook_urls")),
    path("", include("billing.payments.urls")),
    *ops_urlpatterns,
    path("admin/", public_admin.urls),
    path("api/", include("accounts.api.urls_public")),
    path("api/", include("tenants.api.urls_public")),
    path("api/", include(schema_urlpatterns)),
]
