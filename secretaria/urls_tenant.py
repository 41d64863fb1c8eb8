"""URLs of a company's host: its admin, its API, its webhooks, operations.

The apps' URL modules are named by dotted path (see urls_public.py).
"""

from django.urls import include, path

from secretaria.admin_sites import tenant_admin
from secretaria.urls_common import ops_urlpatterns, schema_urlpatterns

urlpatterns = [
    *ops_urlpatterns,
    # /webhook/calcom before the channels' /webhook/<kind>: the more specific pattern first.
    path("", include("agenda.api.webhook_urls")),
    path("", include("conversations.api.webhook_urls")),
    path("admin/", tenant_admin.urls),
    path("api/", include("accounts.api.urls")),
    path("api/", include("tenants.api.urls")),
    path("api/", include("conversations.api.urls")),
    path("api/", include("agenda.api.urls")),
    path("api/", include(schema_urlpatterns)),
]
