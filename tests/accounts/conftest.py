"""Helpers for the accounts tests: fresh staff members and admin sessions."""

from types import SimpleNamespace

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Company
from tests.conftest import host_of
from tests.factories import UserFactory

ROLES = ["owner", "manager", "operator", "viewer"]
WRITERS = ["owner", "manager"]
READERS = ["operator", "viewer"]
# The staff are the owner's (issue 13): nobody else adds, changes or deactivates a member.
NOT_STAFF_WRITERS = ["manager", "operator", "viewer"]


@pytest.fixture
def newcomer(unique):
    """newcomer(company, role="viewer", **fields) -> a fresh staff member of `company`."""

    def make(company: Company, role: str = "viewer", *, email: str | None = None, **fields) -> User:
        with schema_context(company.schema_name):
            return UserFactory(email=email or f"novo-{unique}-{role}@{company.slug}.test", role=role, **fields)

    return make


def stored(company: Company, user: User) -> SimpleNamespace:
    """The user as stored now in its company's schema (role included)."""
    with schema_context(company.schema_name):
        fresh = User.objects.get(pk=user.pk)
        return SimpleNamespace(email=fresh.email, role=fresh.role, full_name=fresh.full_name,
                               is_active=fresh.is_active)


def admin_client(company: Company | None, user: User | None = None) -> Client:
    """A browser on the company's host (public host for None), logged in as `user` if given.

    Sessions live in each schema, so the login happens in the host's schema.
    """
    client = Client(HTTP_HOST=host_of(company))
    if user is not None:
        with schema_context(company.schema_name if company else "public"):
            client.force_login(user)
    return client
