"""The platform admin's subscriptions: companies with plan, status and usage % (sortable), and the
actions suspend / reactivate / change plan, each recorded with cause "admin" and who did it."""

import re

import pytest
from django_tenants.utils import tenant_context

from billing.metering import counters
from billing.metering.services import usage_add, usage_live
from billing.models import Plan, Subscription, SubscriptionChange
from secretaria.redis_client import get_redis
from tests.accounts.conftest import admin_client
from tests.billing.helpers import subscription_of
from tests.conftest import ADMIN_EMAIL, member, platform_admin

SUBSCRIPTIONS = "/admin/billing/subscription/"
# list_display after the action checkbox (column 0): company 1, plan 2, status 3, messages % 4, ...
MESSAGES_COLUMN = 4


@pytest.fixture
def staff(db):
    return admin_client(None, platform_admin())


@pytest.fixture
def acme_at_80(acme):
    """acme has used 80 % of its monthly answered messages (free plan: 400 of 500)."""
    key = counters.usage_key(schema="acme")
    get_redis().delete(key)
    limit = Plan.objects.get(code="free").monthly_messages
    with tenant_context(acme):
        usage_live()  # built from the (no) rows first: an increment counts only on a built hash
        usage_add({"messages": limit * 8 // 10})
    yield acme
    get_redis().delete(key)


def act(client, action: str, *companies, **extra):
    ids = [str(subscription_of(company).pk) for company in companies]
    return client.post(SUBSCRIPTIONS, {"action": action, "_selected_action": ids, "index": "0", **extra},
                       follow=True)


def row_order(html: str, *names: str) -> list[str]:
    positions = {name: html.index(f">{name}<") for name in names}
    return sorted(names, key=positions.get)


def test_the_list_shows_each_company_with_plan_status_and_usage(staff, acme_at_80, globex):
    page = staff.get(SUBSCRIPTIONS)

    assert page.status_code == 200
    html = page.content.decode()
    assert ">Acme<" in html and ">Globex<" in html
    assert "Gratuito" in html and "Ativa" in html
    assert "80 %" in html
    assert "Tokens de IA" in html and "Mensagens ativas" in html
    assert ">Tenant-Template<" not in html and "(modelo de esquema)" not in html


def test_usage_sorts_both_ways(staff, acme_at_80, globex):
    descending = staff.get(SUBSCRIPTIONS, {"o": f"-{MESSAGES_COLUMN}"}).content.decode()
    ascending = staff.get(SUBSCRIPTIONS, {"o": f"{MESSAGES_COLUMN}"}).content.decode()

    assert row_order(descending, "Acme", "Globex") == ["Acme", "Globex"]
    assert row_order(ascending, "Acme", "Globex") == ["Globex", "Acme"]


def test_suspend_and_reactivate_are_recorded_with_the_admin(staff, acme, globex):
    act(staff, "suspend", acme, globex)

    assert {subscription_of(c).status for c in (acme, globex)} == {"suspended"}
    act(staff, "reactivate", acme)

    assert subscription_of(acme).status == "active" and subscription_of(globex).status == "suspended"
    changes = SubscriptionChange.objects.filter(subscription__company=acme).order_by("-id")[:2]
    assert [(c.to_status, c.cause, c.actor) for c in changes] == [("active", "admin", ADMIN_EMAIL),
                                                                  ("suspended", "admin", ADMIN_EMAIL)]


def test_cancel_is_recorded_and_stops_automatic_replies(staff, acme):
    from billing.selectors import subscription_allows

    act(staff, "cancel", acme)

    assert subscription_of(acme).status == "canceled"
    assert not subscription_allows(acme.pk, "auto_reply") and subscription_allows(acme.pk, "staff_reply")
    change = SubscriptionChange.objects.filter(subscription__company=acme).latest("id")
    assert (change.to_status, change.cause, change.actor) == ("canceled", "admin", ADMIN_EMAIL)


def test_a_plan_change_takes_the_plan_chosen_beside_the_action(staff, acme):
    pro = Plan.objects.get(code="pro")

    page = act(staff, "change_plan", acme, plan=str(pro.pk))

    assert "agora no plano Profissional" in page.content.decode()
    assert subscription_of(acme).plan == pro
    change = SubscriptionChange.objects.filter(subscription__company=acme).latest("id")
    assert (change.from_plan.code, change.to_plan.code, change.cause, change.actor) == ("free", "pro", "admin",
                                                                                         ADMIN_EMAIL)


def test_a_plan_change_without_a_plan_changes_nothing_and_says_why(staff, acme):
    count = SubscriptionChange.objects.filter(subscription__company=acme).count()

    page = act(staff, "change_plan", acme)

    assert "Escolha o novo plano antes de aplicar." in page.content.decode()
    assert subscription_of(acme).plan.code == "free"
    assert SubscriptionChange.objects.filter(subscription__company=acme).count() == count


def test_the_form_shows_the_history_and_never_edits_status_or_plan(staff, acme):
    subscription = subscription_of(acme)
    url = f"{SUBSCRIPTIONS}{subscription.pk}/change/"

    page = staff.get(url)
    assert page.status_code == 200
    assert "Empresa criada." in page.content.decode()
    staff.post(url, {"status": "canceled", "plan": str(Plan.objects.get(code="pro").pk)})

    assert (subscription_of(acme).status, subscription_of(acme).plan.code) == ("active", "free")


def test_the_effective_status_shows_a_grace_that_ran_out(staff, acme):
    from datetime import timedelta

    from django.utils import timezone

    Subscription.objects.filter(company=acme).update(status="past_due",
                                                     past_due_since=timezone.now() - timedelta(days=30))

    html = staff.get(SUBSCRIPTIONS).content.decode()

    assert "Suspensa (era em atraso)" in html


def test_only_platform_admins_reach_it(acme):
    owner = member(acme, "owner")

    assert admin_client(None).get(SUBSCRIPTIONS).status_code == 302  # to the login page
    # On the company's own host, the company admin has no billing pages at all.
    assert admin_client(acme, owner).get(SUBSCRIPTIONS).status_code == 404


def test_the_change_history_has_its_own_read_only_list(staff, acme):
    act(staff, "suspend", acme)

    page = staff.get("/admin/billing/subscriptionchange/")

    assert page.status_code == 200
    assert re.search(r"Suspensa", page.content.decode())
    assert staff.get("/admin/billing/subscriptionchange/add/").status_code == 403
