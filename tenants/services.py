"""Provisioning companies, renaming, suspending and routing their channels (the periodic fan-out: dispatch.py)."""

import functools
import pkgutil
import re
import time
from dataclasses import dataclass
from importlib import import_module

import structlog
from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from accounts.roles import Role, roles_sync
from accounts.services import password_hash_begin, user_create
from accounts.tokens import tokens_for_user
from secretaria.errors import Conflict
from secretaria.events import CompanyProvisioned, publish
from secretaria.observability.metrics import TENANT_PROVISIONING
from secretaria.settings_cache import settings_changed
from tenants.models import PUBLIC_SCHEMA, TEMPLATE_SCHEMA, ChannelRoute, Company, Domain
from tenants.provisioning import ProvisionRequest, provisioning_hooks
from tenants.schema_template import (
    TemplateState,
    schema_ddl_replay,
    schema_template_ddl,
    schema_template_prune,
    template_state,
)
from tenants.selectors import company_conflicts, company_host_cache_clear

log = structlog.get_logger(__name__)

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
RESERVED_SLUGS = {"public", "admin", "api", "www", "static", "template", "tenant-template",
                  "information-schema", "metrics", "postgres"}


@dataclass(frozen=True)
class ProvisionedCompany:
    company: Company
    domain: Domain
    owner: User
    access: str
    refresh: str
    seconds: float
    schema_seconds: float = 0.0  # of `seconds`, creating the schema (the rest: rows, hooks, roles, tokens)
    # The owner's password hash, computed in a thread while the schema is created (so not a part of
    # `seconds` on its own): its own duration, and how long the provisioning then still waited for it.
    hash_seconds: float = 0.0
    hash_wait_seconds: float = 0.0


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


def _validate(request: ProvisionRequest, owner_password: str) -> None:
    slug, domain = request.slug, request.domain
    errors: dict[str, list[str]] = {}
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS or slug.startswith("pg-"):
        errors["slug"] = ["Use 3 a 40 letras minúsculas, números ou hífens, começando por letra."]
    if not DOMAIN_RE.match(domain):
        errors["domain"] = ["Domínio inválido (ex.: clinica.exemplo.com.br)."]
    try:
        validate_password(owner_password, user=User(email=request.owner_email))
    except ValidationError as exc:
        errors["owner_password"] = exc.messages
    for hook in provisioning_hooks():
        for field_name, messages in (hook.validate(request) if hook.validate else {}).items():
            errors.setdefault(field_name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def company_provision(
    *, name: str, slug: str, domain: str, plan: str, owner_email: str, owner_password: str
) -> ProvisionedCompany:
    """Create a company with everything it needs, or nothing at all.

    Company row, domain, schema (replayed from the migrated template's DDL), role groups, owner
    account, first tokens and what the apps add (the subscription, the first channel:
    tenants/provisioning.py) are made in one transaction: PostgreSQL DDL is
    transactional, so a failure at any step leaves no trace.
    Raises ValidationError (bad input) or Conflict (slug or domain taken).
    """
    started = time.perf_counter()
    slug, domain, owner_email = slug.strip().lower(), domain.strip().lower(), owner_email.strip().lower()
    request = ProvisionRequest(name=name.strip(), slug=slug, domain=domain, plan=plan, owner_email=owner_email)
    _validate(request, owner_password)
    schema_name = schema_name_for(slug)
    _raise_conflicts(slug=slug, schema_name=schema_name, domain=domain)
    # The hash needs no database: it runs while PostgreSQL replays the schema (the two slowest steps).
    hashing = password_hash_begin(owner_password)
    _template_bring_up_to_date()
    try:
        with transaction.atomic():
            company = Company.objects.create(name=name.strip(), slug=slug, schema_name=schema_name)
            domain_obj = Domain.objects.create(domain=domain, tenant=company, is_primary=True)
            for hook in provisioning_hooks():
                if hook.in_public:
                    hook.in_public(company, request)
            schema_started = time.perf_counter()
            company_schema_create(company=company)
            schema_seconds = time.perf_counter() - schema_started
            hash_wait_started = time.perf_counter()
            hashed = hashing.result()
            hash_wait_seconds = time.perf_counter() - hash_wait_started
            with tenant_context(company):
                owner = user_create(email=owner_email, password=owner_password, role=Role.OWNER,
                                    password_hash=hashed.encoded)
                _company_defaults_ensure(company)
                publish(CompanyProvisioned(company_id=company.pk, slug=slug, plan=plan))
                tokens = tokens_for_user(owner)
    except IntegrityError as exc:
        # Two requests racing for the same slug/domain: the loser lands here.
        _raise_conflicts(slug=slug, schema_name=schema_name, domain=domain)
        raise Conflict("Empresa já existe.") from exc
    seconds = time.perf_counter() - started
    TENANT_PROVISIONING.observe(seconds)
    log.info("company_provisioned", slug=slug, plan=plan, seconds=round(seconds, 3),
             schema_seconds=round(schema_seconds, 3), hash_seconds=round(hashed.seconds, 3),
             hash_wait_seconds=round(hash_wait_seconds, 3))
    return ProvisionedCompany(company=company, domain=domain_obj, owner=owner, access=tokens["access"],
                              refresh=tokens["refresh"], seconds=seconds, schema_seconds=schema_seconds,
                              hash_seconds=hashed.seconds, hash_wait_seconds=hash_wait_seconds)


def _company_defaults_ensure(company: Company) -> None:
    """What every company starts with, in its schema (the apps' `in_schema` hooks)."""
    for hook in provisioning_hooks():
        if hook.in_schema:
            hook.in_schema(company)


def _raise_conflicts(*, slug: str, schema_name: str, domain: str) -> None:
    conflicts = company_conflicts(slug=slug, schema_name=schema_name, domain=domain)
    if conflicts:
        field, message = next(iter(conflicts.items()))
        raise Conflict(message, field=field)


def company_schema_create(*, company: Company) -> None:
    """Create the company's schema by replaying the template's DDL (tenants/schema_template).

    Must run in the caller's transaction (with the company row) and in `public`. Its work does not
    grow with the number of schemas: the DDL was read from the catalogs once per template
    migration state, and replaying it reads none. Without a template, the schema is migrated
    from empty.
    """
    state = template_state(lock=True)
    if state is None:
        connection.cursor().execute(f'CREATE SCHEMA "{company.schema_name}"')
        _migrate_schema(company.schema_name)
    else:
        schema_ddl_replay(ddl_sql=schema_template_ddl(state=state), schema_name=company.schema_name)
        if _template_lags(state):
            # company_provision brings the template up to date before its transaction; a caller
            # that did not (or a deploy racing it) gets the missing migrations applied here
            # rather than a schema that pretends to have them.
            _migrate_schema(company.schema_name)
    with tenant_context(company):
        roles_sync()
    connection.set_schema_to_public()


def _has_pending_migrations(company: Company) -> bool:
    with tenant_context(company):
        return _pending_migrations()


def _pending_migrations() -> bool:
    """Whether the current schema lacks migrations the code has (builds Django's graph: not cheap)."""
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# Template state -> whether it lags this process's code. The code never changes under a
# process, so the answer for a state is worked out once.
_template_lag_by_state: dict[str, bool] = {}


def _template_lags(state: TemplateState) -> bool:
    """Whether the template lacks migrations this code has.

    Django's migration graph answers for sure but costs 0.3-0.9 s (it imports every migration), and
    a process's first provisioning paid it. When every migration file of the code is recorded in
    the template, nothing can be pending, which a directory listing and one query show; anything
    else (a missing one, a squash) is left to the graph.
    """
    if state.state not in _template_lag_by_state:
        if _code_migrations() <= _template_migrations():
            _template_lag_by_state[state.state] = False
        else:
            with schema_context(TEMPLATE_SCHEMA):
                _template_lag_by_state[state.state] = _pending_migrations()
    return _template_lag_by_state[state.state]


@functools.cache
def _code_migrations() -> frozenset[tuple[str, str]]:
    """(app, name) of every migration module on disk, found as Django's loader finds them."""
    found = set()
    for app in apps.get_app_configs():
        module_name, _ = MigrationLoader.migrations_module(app.label)
        try:
            module = import_module(module_name) if module_name else None
        except ModuleNotFoundError:
            continue
        for entry in pkgutil.iter_modules(getattr(module, "__path__", [])):
            if not entry.ispkg and entry.name[0] not in "_~":
                found.add((app.label, entry.name))
    return frozenset(found)


def _template_migrations() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{TEMPLATE_SCHEMA}".django_migrations')
        return set(cursor.fetchall())


def _migrate_schema(schema_name: str) -> None:
    from django.core.management import call_command

    call_command("migrate_schemas", schema_name=schema_name, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def template_schema_ensure() -> bool:
    """Create the (internal) template company whose schema new companies are replayed from."""
    if Company.objects.filter(schema_name=TEMPLATE_SCHEMA).exists():
        return False
    with transaction.atomic():
        template = Company.objects.create(
            name="(modelo de esquema)", slug="tenant-template", schema_name=TEMPLATE_SCHEMA,
            status=Company.Status.SUSPENDED,
        )
        connection.cursor().execute(f'CREATE SCHEMA IF NOT EXISTS "{TEMPLATE_SCHEMA}"')
        _migrate_schema(template.schema_name)
        with tenant_context(template):
            roles_sync()
    return True


@dataclass(frozen=True)
class TemplateRefreshed:
    state: str
    created: bool  # the template did not exist
    migrated: bool  # it lagged the code and was migrated
    generated: bool  # its DDL was generated (else the stored one was current)
    pruned: int  # DDL rows of former states dropped
    seconds: float


def schema_template_refresh(*, force: bool = False) -> TemplateRefreshed:
    """Bring the template up to the code's migrations, then its cached DDL up to the template.

    The deploy runs it (`manage.py schema_template_refresh`) after `migrate_schemas`, so the first
    company after a deploy does not pay for the catalog reading. `force` regenerates the DDL even
    when one is stored for the template's state (the template was changed outside migrations).
    Serialised across processes by an advisory lock: two deploys, or a deploy and a provisioning
    that found the template lagging, migrate it once.
    """
    started = time.perf_counter()
    # One transaction, its lock taken first: a transaction-scoped advisory lock also holds
    # through PgBouncer's transaction pooling, where a session lock could be released elsewhere.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TEMPLATE_REFRESH_LOCK])
        created = template_schema_ensure()
        migrated = not created and _template_lags(template_state())
        if migrated:
            _migrate_schema(TEMPLATE_SCHEMA)
            with schema_context(TEMPLATE_SCHEMA):
                roles_sync()  # the new migrations' permissions go to the roles before the copies
        state = template_state(lock=True)
        generated = force or migrated or created or state.digest is None
        schema_template_ddl(state=state, regenerate=generated)
        pruned = schema_template_prune(keep=state.state)
    seconds = time.perf_counter() - started
    log.info("schema_template_refreshed", state=state.state[:12], created=created, migrated=migrated,
             generated=generated, seconds=round(seconds, 3))
    return TemplateRefreshed(state=state.state, created=created, migrated=migrated, generated=generated,
                             pruned=pruned, seconds=seconds)


# Any constant both sides agree on: pg_advisory_lock's key space is the database's.
TEMPLATE_REFRESH_LOCK = 0x5EC7E3F1


def _template_bring_up_to_date() -> None:
    """Before a provisioning's transaction: a template that lags the code is migrated first
    (outside the company's transaction, which then only replays). Two cheap queries when current."""
    state = template_state()
    if state is not None and _template_lags(state):
        schema_template_refresh()


def public_tenant_ensure(*, domains: list[str]) -> Company:
    """The row django-tenants needs for the public schema, with the platform's hosts."""
    public, _ = Company.objects.get_or_create(
        schema_name=PUBLIC_SCHEMA, defaults={"name": "Secretaria (plataforma)", "slug": "public"}
    )
    for index, host in enumerate(domains):
        Domain.objects.get_or_create(domain=host, defaults={"tenant": public, "is_primary": index == 0})
    return public


def roles_sync_all() -> int:
    """Bring every schema's role groups up to date, and give every company its defaults."""
    count = 0
    for company in Company.objects.exclude(schema_name=PUBLIC_SCHEMA):
        with tenant_context(company):
            roles_sync()
            if company.schema_name != TEMPLATE_SCHEMA:  # the template's rows would be cloned
                _company_defaults_ensure(company)
        count += 1
    return count


def company_rename(*, company: Company, name: str) -> Company:
    """The assistant introduces itself with the company's name: every process sees the new one at once."""
    company.name = name.strip()
    company.save(update_fields=["name"])
    with schema_context(company.schema_name):
        settings_changed()
    company_host_cache_clear()  # the request's company object is cached per host too
    return company


def company_set_status(*, companies, status: str) -> int:
    """Suspend or reactivate companies. A suspended company's host answers 403."""
    count = Company.objects.customers().filter(pk__in=[c.pk for c in companies]).update(status=status)
    company_host_cache_clear()  # this process at once; the others within seconds
    return count


def channel_routes_set(*, company: Company, provider: str, external_ids: set[str]) -> None:
    """Point `provider:<id>` at `company` for exactly these ids (the company's other routes of
    this provider are dropped). Raises Conflict when another company already owns one."""
    external_ids = {i for i in external_ids if i}
    with transaction.atomic():
        taken = (ChannelRoute.objects.filter(provider=provider, external_id__in=external_ids)
                 .exclude(company=company).values_list("external_id", flat=True).first())
        if taken:
            raise Conflict("Este número já está ligado a outra empresa.", field="phone_number_id")
        ChannelRoute.objects.filter(company=company, provider=provider).exclude(external_id__in=external_ids).delete()
        for external_id in external_ids:
            ChannelRoute.objects.get_or_create(provider=provider, external_id=external_id,
                                               defaults={"company": company})
