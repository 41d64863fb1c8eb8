"""The public host, under /api/: provisioning new companies (platform admins)."""

from django.urls import path

from tenants.api.views import ProvisionView

urlpatterns = [path("tenants/provision", ProvisionView.as_view(), name="tenant-provision")]
