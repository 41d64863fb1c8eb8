"""GET /api/billing/usage?period=YYYY-MM: per kind and per day, % of the plan, cost in BRL."""
# ruff: noqa: F811 - the fixtures are shared from test_metering.py (tests/billing has no conftest of ours)

from django.utils import timezone

from billing.metering.periods import period_label, period_of
from billing.metering.services import usage_rollup
from tests.billing.test_metering import answer, metered, plan_set  # noqa: F401


def test_usage_per_kind_and_day_with_percent_and_cost(metered, api):
    plan_set(metered, monthly_messages=4, overage_policy="block_ai")
    answer("Oi", "u1")
    usage_rollup(company=metered, first_day=period_of(), last_day=timezone.localdate())

    response = api(metered, "viewer").get("/api/billing/usage", {"period": period_label(period_of())})

    assert response.status_code == 200
    body = response.json()
    kinds = {k["kind"]: k for k in body["kinds"]}
    assert body["period"] == period_label(period_of())
    assert (kinds["messages"]["used"], kinds["messages"]["limit"], kinds["messages"]["percent"]) == (1, 4, 25.0)
    assert kinds["ai_tokens"]["cost_display"] == "R$ 0,00" and body["cost_total_display"] == "R$ 0,00"
    assert {"day": str(timezone.localdate()), "kind": "messages", "quantity": 1, "cost": 0.0,
            "cost_display": "R$ 0,00"} in body["days"]


def test_a_past_month_reads_the_rollup(metered, api):
    response = api(metered, "owner").get("/api/billing/usage", {"period": "2020-01"})

    assert response.status_code == 200
    assert all(k["used"] == 0 for k in response.json()["kinds"]) and response.json()["days"] == []


def test_a_bad_period_is_a_400_in_portuguese(metered, api):
    for bad in ("2026-13", "dezembro", "2026/12"):
        response = api(metered, "owner").get("/api/billing/usage", {"period": bad})
        assert response.status_code == 400
        assert response.json()["detail"].startswith("Período inválido")


def test_usage_needs_a_member_of_the_company(metered, client):
    assert client.get("/api/billing/usage", HTTP_HOST="acme.localhost").status_code in (401, 403)
