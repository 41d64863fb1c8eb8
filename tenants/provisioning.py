"""What a new company is given, by the apps that give it.

Provisioning (tenants.services.company_provision) is one transaction: the company row,
its domain, its schema, its owner. The apps above the platform add their part through
hooks registered in their `AppConfig.ready()` — billing checks the plan and opens the
subscription, conversations gives the company its first channel — so the platform never
imports them:

    register_provisioning_hook(ProvisioningHook(name="billing", validate=..., in_public=...))

- `validate(request)` runs before anything is written: {field: [pt-BR errors]}.
- `in_public(company, request)` runs inside the transaction, in the public schema.
- `in_schema(company)` runs inside the transaction, in the new company's schema; `bootstrap`
  runs it again for every existing company, so it must be idempotent ("ensure", not "create").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from secretaria.registry import Registry


@dataclass(frozen=True)
class ProvisionRequest:
    name: str
    slug: str
    domain: str
    plan: str
    owner_email: str


@dataclass(frozen=True)
class ProvisioningHook:
    name: str
    validate: Callable[[ProvisionRequest], dict[str, list[str]]] | None = None
    in_public: Callable[[object, ProvisionRequest], None] | None = None
    in_schema: Callable[[object], None] | None = None
    order: int = 100


_hooks: Registry[ProvisioningHook] = Registry(key=lambda hook: hook.name, order=lambda hook: (hook.order, hook.name))
register_provisioning_hook = _hooks.register
provisioning_hooks = _hooks.all
