from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from tenants.querysets import PUBLIC_SCHEMA, TEMPLATE_SCHEMA, CompanyQuerySet

__all__ = ["PUBLIC_SCHEMA", "TEMPLATE_SCHEMA", "ChannelRoute", "Company", "Domain"]


class Company(TenantMixin):
    """A customer business. Its data lives in its own PostgreSQL schema."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Ativa"
        SUSPENDED = "suspended", "Suspensa"

    name = models.CharField("nome", max_length=120)
    slug = models.SlugField("identificador", max_length=50, unique=True)
    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField("criada em", auto_now_add=True)

    # Provisioning creates the schema itself (cloned from the template) inside
    # its own transaction, so a save() never does it behind our back.
    auto_create_schema = False
    auto_drop_schema = True

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = "empresa"
        verbose_name_plural = "empresas"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_internal(self) -> bool:
        """The public schema and the template are rows of ours, not customers."""
        return self.schema_name in (PUBLIC_SCHEMA, TEMPLATE_SCHEMA)


class Domain(DomainMixin):
    class Meta:
        verbose_name = "domínio"
        verbose_name_plural = "domínios"

    def __str__(self) -> str:
        return self.domain


class ChannelRoute(models.Model):
    """Which company a provider's account id belongs to, for webhooks that arrive on the
    public host (Meta sends every number's notifications to one URL)."""

    provider = models.CharField(max_length=16)
    external_id = models.CharField(max_length=64)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="channel_routes")

    class Meta:
        verbose_name = "rota de canal"
        verbose_name_plural = "rotas de canal"
        constraints = [models.UniqueConstraint(fields=["provider", "external_id"], name="unique_channel_route")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.external_id} → {self.company}"
