"""Platform factories: companies provisioned the way production does it, and their staff.

A company is never a bare row: `tenants.services.company_provision` creates the row, its domain,
its schema, the subscription, the first channel and the owner in one transaction, so
CompanyFactory calls that service. Staff members come from `accounts.services.user_create`
(role group, password validators), in the schema current when the factory is called.

    CompanyFactory(slug="initech")                        # initech.localhost, owner@initech.test
    CompanyFactory(slug="acme", staff=[Role.MANAGER])     # ... and manager@acme.test
    with schema_context("acme"):
        UserFactory(role=Role.OPERATOR)                   # a fresh operator of acme

Every password is PASSWORD. The factories of each app's data sit next to its tests
(tests/conversations/factories.py, tests/agenda/factories.py).
"""

import factory
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from tenants.models import Company
from tenants.services import company_provision

PASSWORD = "Senha-de-teste-9"


def staff_email(role: str, slug: str) -> str:
    """The standard cast's e-mails: owner@acme.test, viewer@globex.test..."""
    return f"{role}@{slug}.test"


class UserFactory(factory.Factory):
    """A staff member of the company whose schema is current, made by `user_create`."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"equipe-{n}@clinica.test")
    password = PASSWORD
    role = Role.VIEWER
    full_name = ""  # as the sign-up leaves it; tests about names pass one

    @classmethod
    def _create(cls, model_class, **kwargs) -> User:
        return user_create(**kwargs)


class CompanyFactory(factory.Factory):
    """A company provisioned by `company_provision` (on the free plan, at `<slug>.localhost`).

    `staff=[roles]` adds one member per role, `<role>@<slug>.test`, besides the owner.
    """

    class Meta:
        model = Company

    slug = factory.Sequence(lambda n: f"clinica-{n}")
    name = factory.LazyAttribute(lambda company: company.slug.title())
    domain = factory.LazyAttribute(lambda company: f"{company.slug}.localhost")
    plan = "free"
    owner_email = factory.LazyAttribute(lambda company: staff_email(Role.OWNER, company.slug))
    owner_password = PASSWORD

    @classmethod
    def _create(cls, model_class, **kwargs) -> Company:
        return company_provision(**kwargs).company

    @factory.post_generation
    def staff(company: Company, create: bool, roles, **fields) -> None:
        if create and roles:
            with schema_context(company.schema_name):
                for role in roles:
                    UserFactory(email=staff_email(role, company.slug), role=role, **fields)
