"""Resolve the company from the request's host (django-tenants), with our rules on top."""


import structlog
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, get_tenant_model

from tenants.models import Company
from tenants.selectors import company_for_host


class CompanyMiddleware(TenantMainMiddleware):
    """TenantMainMiddleware that

    - answers the operations paths (/healthz, /readyz, /metrics) on any host, from
      the public schema, so probes and scrapers need not know a company's domain;
    - refuses a suspended company's host with 403 instead of serving it;
    - puts the company on every log line of the request;
    - remembers host -> company for a few seconds, sparing a query on every webhook
      (see `selectors.company_for_host`).
    """

    def get_tenant(self, domain_model, hostname):
        return company_for_host(hostname)

    def no_tenant_found(self, request, hostname):
        if request.path in settings.HOST_AGNOSTIC_PATHS:
            public = get_tenant_model().objects.get(schema_name=get_public_schema_name())
            self.setup_url_routing(request, force_public=True)
            request.tenant = public
            connection.set_tenant(public)
            return None
        return JsonResponse({"detail": "Domínio desconhecido."}, status=404)

    def process_request(self, request):
        response = super().process_request(request)
        if response is not None:
            return response
        tenant = request.tenant
        structlog.contextvars.bind_contextvars(company=tenant.schema_name)
        if tenant.status == Company.Status.SUSPENDED and request.path not in settings.HOST_AGNOSTIC_PATHS:
            return JsonResponse({"detail": "Empresa suspensa."}, status=403)
        return None
