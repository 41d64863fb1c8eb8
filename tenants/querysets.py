from django.db import models

PUBLIC_SCHEMA = "public"  # django-tenants' shared schema: the platform, never a company
TEMPLATE_SCHEMA = "tenant_template"  # migrated once, cloned for every new company


class CompanyQuerySet(models.QuerySet):
    def customers(self):
        """Real companies: neither the public schema nor the migration template."""
        return self.exclude(schema_name__in=[PUBLIC_SCHEMA, TEMPLATE_SCHEMA])

    def active(self):
        return self.customers().filter(status="active")
