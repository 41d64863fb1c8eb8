"""URLs of the public host: platform admin, provisioning, platform auth, operations."""

from django.urls import include, path

from accounts.api.urls import auth_urlpatterns
from conversations.api.urls import public_webhook_urlpatterns
from secretaria.admin_sites import public_admin
from secretaria.urls_common import ops_urlpatterns, schema_urlpatterns
from tenants.api.urls import public_urlpatterns as tenants_public

api = [*auth_urlpatterns, *tenants_public, *schema_urlpatterns]

urlpatterns = [
    *ops_urlpatterns,
    *public_webhook_urlpatterns,
    path("admin/", public_admin.urls),
    path("api/", include(api)),
]
