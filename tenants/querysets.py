from django.db import models


class CompanyQuerySet(models.QuerySet):
    def customers(self):
        """Real companies: neither the public schema nor the migration template."""
        from tenants.models import PUBLIC_SCHEMA, TEMPLATE_SCHEMA

        return self.exclude(schema_name__in=[PUBLIC_SCHEMA, TEMPLATE_SCHEMA])

    def active(self):
        return self.customers().filter(status="active")
