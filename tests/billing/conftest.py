"""Fixtures shared by the billing tests."""

import pytest

from billing.models import Plan, Subscription


@pytest.fixture(autouse=True)
def _cast_on_the_free_plan(request) -> None:
    """acme and globex are provisioned on a plan without limits (their four staff users need the seats);
    the billing tests that use them start them on the free plan, as a new company starts. Rolled back
    after each test. Only for tests that ask for acme or globex: the racing tests commit their own
    company before the test's transaction opens, which asking for `db` here would open first."""
    if not {"acme", "globex"} & set(request.fixturenames):
        return
    request.getfixturevalue("db")
    Subscription.objects.filter(company__slug__in=["acme", "globex"]).update(plan=Plan.objects.get(code="free"))


@pytest.fixture
def pro(db) -> Plan:
    """The seeded paid plan the providers' checkouts sell."""
    return Plan.objects.get(code="pro")
