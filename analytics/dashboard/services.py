"""The platform home's one write: "Nova empresa", the provisioning service behind a form."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django_tenants.utils import tenant_context

from accounts.services import user_update
from tenants.models import Company
from tenants.services import company_provision

# 16 characters from a 64-symbol alphabet (96 bits): passes every password validator, easy to copy.
PASSWORD_BYTES = 12


@dataclass(frozen=True)
class FirstAccess:
    """What the platform admin hands the new owner, shown once and kept nowhere in clear text."""

    company: Company
    domain: str
    owner_email: str
    password: str


def company_open(*, name: str, slug: str, domain: str, plan: str, owner_email: str, owner_name: str) -> FirstAccess:
    """Provision the company (tenants.services.company_provision: schema, domain, subscription, owner)
    with a random first password for its owner, and give the owner their name.

    One transaction: a name that could not be saved leaves no company behind. Raises what the
    provisioning raises (ValidationError, Conflict). The password is only in the returned value:
    the owner's row keeps its hash, as for any password.
    """
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    with transaction.atomic():
        result = company_provision(name=name, slug=slug, domain=domain, plan=plan, owner_email=owner_email,
                                   owner_password=password)
        if owner_name.strip():
            with tenant_context(result.company):
                user_update(user=result.owner, actor=None, full_name=owner_name.strip())
    return FirstAccess(company=result.company, domain=result.domain.domain, owner_email=result.owner.email,
                       password=password)
