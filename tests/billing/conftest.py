"""Fixtures shared by the billing tests."""

import pytest

from billing.models import Plan


@pytest.fixture
def pro(db) -> Plan:
    """The seeded paid plan the providers' checkouts sell."""
    return Plan.objects.get(code="pro")
