"""URLs of a company's host: its admin, its API, its webhooks, operations."""

from django.urls import include, path

from accounts.api.urls import auth_urlpatterns
from accounts.api.urls import tenant_urlpatterns as accounts_tenant
from agenda.api.urls import tenant_api_urlpatterns as agenda_api
from agenda.api.urls import tenant_webhook_urlpatterns as agenda_webhooks
from conversations.api.urls import tenant_api_urlpatterns as conversations_api
from conversations.api.urls import tenant_webhook_urlpatterns
from secretaria.admin_sites import tenant_admin
from secretaria.urls_common import ops_urlpatterns, schema_urlpatterns
from tenants.api.urls import tenant_urlpatterns as tenants_tenant

api = [*auth_urlpatterns, *accounts_tenant, *tenants_tenant, *conversations_api, *agenda_api, *schema_urlpatterns]

urlpatterns = [
    *ops_urlpatterns,
    *tenant_webhook_urlpatterns,
    *agenda_webhooks,
    path("admin/", tenant_admin.urls),
    path("api/", include(api)),
]
