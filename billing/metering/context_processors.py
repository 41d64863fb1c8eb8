"""The quota banner of the company admin (templates/admin/base_site.html reads `quota_banner`)."""

from django.db import connection

from billing.metering.alerts import alert_text
from billing.metering.selectors import alerts_current


def quota_banner(request) -> dict:
    tenant = getattr(request, "tenant", None)
    if tenant is None or connection.schema_name == "public" or not request.path.startswith("/admin"):
        return {}
    banners = [{"level": "error" if alert.threshold >= 100 else "warning", "text": alert_text(alert, tenant.name)[1]}
               for alert in alerts_current(company_id=tenant.pk)]
    return {"quota_banner": banners}
