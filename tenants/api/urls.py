"""A company's host, under /api/: the company itself."""

from django.urls import path

from tenants.api.views import CompanyView

urlpatterns = [path("company", CompanyView.as_view(), name="company")]
