from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from tenants.querysets import PUBLIC_SCHEMA, TEMPLATE_SCHEMA, CompanyQuerySet

__all__ = ["PUBLIC_SCHEMA", "TEMPLATE_SCHEMA", "AuditHead", "BackupRecord", "ChannelRoute", "Company", "Domain",
           "SchemaTemplate"]


def _labelled(mixin: type[models.Model], name: str, label: str) -> models.Field:
    """A django-tenants mixin's field again, with a pt-BR label: the mixin stays the source of its definition."""
    field = mixin._meta.get_field(name)
    _, _, args, kwargs = field.deconstruct()
    return type(field)(*args, **{**kwargs, "verbose_name": label})


class Company(TenantMixin):
    """A customer business. Its data lives in its own PostgreSQL schema."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Ativa"
        SUSPENDED = "suspended", "Suspensa"

    schema_name = _labelled(TenantMixin, "schema_name", "esquema no banco de dados")
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
    domain = _labelled(DomainMixin, "domain", "domínio")
    tenant = models.ForeignKey(Company, db_index=True, related_name="domains", on_delete=models.CASCADE,
                               verbose_name="empresa")
    is_primary = _labelled(DomainMixin, "is_primary", "principal")

    class Meta:
        verbose_name = "domínio"
        verbose_name_plural = "domínios"

    def __str__(self) -> str:
        return self.domain


class ChannelRoute(models.Model):
    """Which company a provider's account id belongs to, for webhooks that arrive on the
    public host (Meta sends every number's notifications to one URL)."""

    provider = models.CharField("provedor", max_length=16)
    external_id = models.CharField("conta no provedor", max_length=64)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="channel_routes",
                                verbose_name="empresa")

    class Meta:
        verbose_name = "rota de canal"
        verbose_name_plural = "rotas de canal"
        constraints = [models.UniqueConstraint(fields=["provider", "external_id"], name="unique_channel_route")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.external_id} → {self.company}"


class AuditHead(models.Model):
    """Where a company's audit trail ends (its latest entry's number and seal), kept here in
    `public`, outside the company's schema: deleting the newest entries from the trail, even
    with its protecting trigger disabled, leaves the trail shorter than its head
    (compliance/audit). Written in the same transaction as every append."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, primary_key=True, related_name="audit_head",
                                   verbose_name="empresa")
    seq = models.PositiveBigIntegerField("nº da última entrada", default=0)
    hash = models.CharField("selo da última entrada", max_length=64, blank=True)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)
    # The last daily verification's verdict, which the metrics count across companies.
    verified_at = models.DateTimeField("última verificação", null=True, blank=True)
    verified_ok = models.BooleanField("íntegra na última verificação", null=True)

    class Meta:
        verbose_name = "topo da trilha de auditoria"
        verbose_name_plural = "topos das trilhas de auditoria"

    def __str__(self) -> str:
        return f"{self.company_id}: nº {self.seq}"


class SchemaTemplate(models.Model):
    """The template schema's DDL for one state of its migrations, from which new companies'
    schemas are replayed (tenants/schema_template). Generated once per state, by the deploy's
    `schema_template_refresh` or by the first provisioning that finds none."""

    state = models.CharField("estado das migrações do modelo", max_length=64, unique=True)
    digest = models.CharField("resumo do DDL", max_length=64)
    ddl = models.TextField("DDL")
    statements = models.PositiveIntegerField("instruções")
    generation_seconds = models.FloatField("segundos para gerar")
    created_at = models.DateTimeField("gerado em", auto_now_add=True)

    class Meta:
        verbose_name = "DDL do modelo de esquema"
        verbose_name_plural = "DDLs do modelo de esquema"

    def __str__(self) -> str:
        return f"{self.state[:12]} ({self.statements} instruções)"


class BackupRecord(models.Model):
    """One successful backup (tenants/backups), written once its files and manifest are complete.

    The backup-age gauge and `restore --company` read these rows. No foreign key to the company, on
    purpose: a company's restore replaces every public row linked to it, and the record of the backup
    being restored must survive that (and the company's deletion, which is when it is needed)."""

    class Scope(models.TextChoices):
        DATABASE = "database", "Banco de dados inteiro"
        COMPANY = "company", "Uma empresa"

    scope = models.CharField("abrangência", max_length=16, choices=Scope.choices)
    schema_name = models.CharField("esquema da empresa", max_length=63, blank=True)
    slug = models.CharField("identificador da empresa", max_length=50, blank=True)
    path = models.CharField("pasta", max_length=500)
    size_bytes = models.BigIntegerField("tamanho (bytes)")
    manifest_sha256 = models.CharField("sha256 do manifesto", max_length=64)
    started_at = models.DateTimeField("início")
    finished_at = models.DateTimeField("fim", db_index=True)

    class Meta:
        verbose_name = "backup"
        verbose_name_plural = "backups"
        indexes = [models.Index(fields=["scope", "schema_name", "-finished_at"], name="backup_scope_latest")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.slug} {self.finished_at:%Y-%m-%d %H:%M}".replace("  ", " ")
