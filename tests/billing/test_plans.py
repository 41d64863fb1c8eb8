"""Plans: seeded free and paid, every limit of the issue, no negative values, edited in the platform
admin with prices in reais."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from billing.admin import PlanForm
from billing.models import NO_NEGATIVE, Plan
from tests.accounts.conftest import admin_client
from tests.conftest import platform_admin

LIMITS = ["monthly_messages", "monthly_llm_tokens", "monthly_outreach", "max_channels", "max_staff",
          "max_professionals"]
PLANS = "/admin/billing/plan/"


def plan_form_data(plan: Plan, **changes) -> dict:
    data = {name: getattr(plan, name) for name in
            ["code", "name", *LIMITS, "overage_policy", "trial_days", "grace_days"]}
    data.update(is_active="on", price="149,00", overage_price="25,00")
    data.update(changes)
    return data


def test_free_and_paid_plans_are_seeded_with_every_limit(db):
    plans = {plan.code: plan for plan in Plan.objects.all()}

    assert {"free", "essencial", "pro"} <= set(plans)
    assert plans["free"].price_cents == 0 and plans["free"].is_free
    assert plans["pro"].price_cents == 14_900 and plans["pro"].price_display == "R$ 149,00"
    for plan in (plans["free"], plans["essencial"], plans["pro"]):
        assert all(getattr(plan, limit) > 0 for limit in LIMITS), plan.code
    assert plans["free"].overage_policy == "block_ai" and plans["free"].trial_days == 0
    assert plans["pro"].overage_policy == "allow_overage" and plans["pro"].overage_price_cents_per_1000 > 0
    assert plans["pro"].trial_days > 0


def test_a_plan_names_its_limits_as_metering_does(db):
    pro = Plan.objects.get(code="pro")

    assert pro.limits() == {"messages": pro.monthly_messages, "ai_tokens": pro.monthly_llm_tokens,
                            "outreach": pro.monthly_outreach, "channels": pro.max_channels,
                            "staff": pro.max_staff, "professionals": pro.max_professionals}


@pytest.mark.parametrize("limit", LIMITS)
def test_a_negative_limit_is_refused_with_a_clear_message(db, limit):
    plan = Plan(code="teste", name="Teste", **{limit: -1})

    with pytest.raises(ValidationError) as refused:
        plan.full_clean()

    assert refused.value.message_dict == {limit: [NO_NEGATIVE]}


def test_the_database_refuses_a_negative_limit_too(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(code="teste", name="Teste", monthly_messages=-5)


def test_a_negative_price_is_refused(db):
    with pytest.raises(ValidationError) as refused:
        Plan(code="teste", name="Teste", price_cents=-100).full_clean()

    assert refused.value.message_dict == {"price_cents": ["O preço não pode ser negativo."]}


def test_zero_means_unlimited_and_is_accepted(db):
    Plan(code="ilimitado", name="Ilimitado", **{limit: 0 for limit in LIMITS}).full_clean()


def test_the_admin_form_takes_prices_in_reais_and_keeps_cents(db):
    pro = Plan.objects.get(code="pro")

    form = PlanForm(data=plan_form_data(pro, price="1249,90", overage_price="19,50"), instance=pro)

    assert form.is_valid(), form.errors
    saved = form.save()
    assert (saved.price_cents, saved.overage_price_cents_per_1000) == (124_990, 1_950)


def test_the_admin_form_refuses_negative_values_in_portuguese(db):
    pro = Plan.objects.get(code="pro")

    form = PlanForm(data=plan_form_data(pro, monthly_outreach=-3, price="-1,00"), instance=pro)

    assert not form.is_valid()
    assert form.errors["monthly_outreach"] == [NO_NEGATIVE]
    assert form.errors["price"] == ["O preço não pode ser negativo."]
    assert Plan.objects.get(code="pro").monthly_outreach == pro.monthly_outreach


def test_the_platform_admin_lists_plans_with_prices_in_reais(db):
    page = admin_client(None, platform_admin()).get(PLANS)

    assert page.status_code == 200
    html = page.content.decode()
    assert "R$ 149,00" in html and "R$ 0,00" in html
    assert "Profissional" in html and "Gratuito" in html


def test_the_platform_admin_edits_a_plan(db):
    pro = Plan.objects.get(code="pro")
    client = admin_client(None, platform_admin())

    page = client.get(f"{PLANS}{pro.pk}/change/")
    assert page.status_code == 200 and "149,00" in page.content.decode()
    saved = client.post(f"{PLANS}{pro.pk}/change/", plan_form_data(pro, monthly_messages=12_000, price="159,00"))

    assert saved.status_code == 302, saved.content.decode()[:2000]
    pro.refresh_from_db()
    assert (pro.monthly_messages, pro.price_cents) == (12_000, 15_900)


def test_a_negative_limit_in_the_admin_is_shown_and_nothing_saved(db):
    pro = Plan.objects.get(code="pro")

    page = admin_client(None, platform_admin()).post(f"{PLANS}{pro.pk}/change/",
                                                     plan_form_data(pro, max_staff=-2))

    assert page.status_code == 200
    assert NO_NEGATIVE in page.content.decode()
    assert Plan.objects.get(code="pro").max_staff == pro.max_staff
