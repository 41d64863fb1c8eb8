from django.urls import path

from tenants.api.views import CompanyView, ProvisionView

public_urlpatterns = [path("tenants/provision", ProvisionView.as_view(), name="tenant-provision")]
tenant_urlpatterns = [path("company", CompanyView.as_view(), name="company")]
