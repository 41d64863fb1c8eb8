from django.apps import AppConfig


class AnalyticsPlatformConfig(AppConfig):
    """A second app inside analytics: its tables live in the public schema (SHARED_APPS), beside the
    companies and their usage, while analytics' own live in each company's schema."""

    name = "analytics.platform"
    label = "analytics_platform"
    verbose_name = "Saúde das empresas"
