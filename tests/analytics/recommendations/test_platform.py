"""The platform's view (public schema): the churn risk score of each company from known usage rows and
payment events, with its reasons; the upgrade suggestion after two months at 80 % of a quota; dedupe
and expiry of both across daily runs."""

from datetime import date, timedelta

import pytest

from analytics.platform.models import CompanyRecommendation
from analytics.platform.readings import churn_reading
from analytics.platform.services import company_recommendation_decide, platform_recommendations_compute
from billing.metering.models import UsageDaily
from billing.models import Plan, Subscription
from billing.payments.models import PaymentEvent
from secretaria.errors import Conflict

Kind, Status = CompanyRecommendation.Kind, CompanyRecommendation.Status
TODAY = date(2026, 3, 2)  # a Monday: the last complete week is 23 Feb – 1 Mar


def usage(company, first: date, days: int, *, messages: int, handoffs: int = 0) -> None:
    """`messages` answered and `handoffs` a day, for `days` days from `first`."""
    for n in range(days):
        day = first + timedelta(days=n)
        UsageDaily.objects.update_or_create(company=company, day=day, kind="messages", defaults={"quantity": messages})
        UsageDaily.objects.update_or_create(company=company, day=day, kind="handoffs", defaults={"quantity": handoffs})


def weeks(company, *, before: tuple[int, int], last: tuple[int, int]) -> None:
    """Daily (messages, handoffs) in the week before last (16–22 Feb) and in the last week (23 Feb – 1 Mar)."""
    usage(company, date(2026, 2, 16), 7, messages=before[0], handoffs=before[1])
    usage(company, date(2026, 2, 23), 7, messages=last[0], handoffs=last[1])


def failed_payment(company, n: int) -> PaymentEvent:
    return PaymentEvent.objects.create(provider="stripe", event_id=f"evt_falhou_{company.slug}_{n}",
                                       type="invoice.payment_failed", company=company, status="applied")


def churn_of(company) -> CompanyRecommendation:
    return CompanyRecommendation.objects.get(company=company, kind=Kind.CHURN_RISK)


def test_falling_usage_failed_payments_and_rising_handoffs_give_the_documented_score(db, acme):
    weeks(acme, before=(100, 5), last=(40, 6))  # 700 -> 280 messages; handoffs 5 % -> 15 %
    failed_payment(acme, 1)

    reading = churn_reading(company_id=acme.pk, today=TODAY)

    # drop 0.6, payment 0.5 (one failure), handoff rise 1.0: 1 - (1-.36)(1-.35)(1-.4) = 0.7504
    assert reading.score == 0.75
    assert [r["code"] for r in reading.reasons] == ["usage_drop", "payment", "handoff_rise"]
    assert reading.summary.splitlines() == [
        "Uso em queda: 280 mensagens respondidas na última semana contra 700 na anterior (−60 %)",
        "Pagamento: 1 pagamento recusado nos últimos 30 dias",
        "Transferências para atendente em alta: 15 % das mensagens na última semana contra 5 % na anterior",
    ]
    assert reading.evidence["week"] == {"from": "2026-02-23", "to": "2026-03-01", "messages": 280, "handoffs": 42}


def test_a_past_due_subscription_alone_scores_0_70(db, acme):
    weeks(acme, before=(100, 5), last=(100, 5))
    Subscription.objects.filter(company=acme).update(status=Subscription.Status.PAST_DUE)

    reading = churn_reading(company_id=acme.pk, today=TODAY)

    assert reading.score == 0.7 and reading.summary == "Pagamento: assinatura em atraso"


def test_steady_usage_and_no_failures_score_zero_and_tiny_volumes_read_no_trend(db, acme, globex):
    weeks(acme, before=(100, 5), last=(110, 5))
    weeks(globex, before=(2, 0), last=(0, 0))  # 14 -> 0 messages: too few to call it a fall

    assert churn_reading(company_id=acme.pk, today=TODAY).score == 0.0
    assert churn_reading(company_id=globex.pk, today=TODAY).score == 0.0
    assert churn_reading(company_id=globex.pk, today=TODAY).reasons == []


def test_the_daily_run_records_risky_companies_once_and_expires_them_when_they_recover(db, acme, globex, settings):
    settings.ANALYTICS_CHURN_MIN_SCORE = 0.3
    weeks(acme, before=(100, 5), last=(40, 2))  # -60 %: 0.36
    weeks(globex, before=(100, 5), last=(100, 5))

    first = platform_recommendations_compute(today=TODAY)
    platform_recommendations_compute(today=TODAY)

    row = churn_of(acme)
    assert first["created"] >= 1 and row.status == Status.NEW and row.score == 0.36
    assert not CompanyRecommendation.objects.filter(company=globex).exists()
    assert row.reasons[0]["text"].startswith("Uso em queda: 280 mensagens")

    usage(acme, date(2026, 3, 2), 7, messages=100, handoffs=5)  # the next week is back to normal
    usage(acme, date(2026, 2, 23), 7, messages=100, handoffs=5)
    platform_recommendations_compute(today=TODAY + timedelta(days=7))

    row.refresh_from_db()
    assert row.status == Status.EXPIRED and row.closed_at is not None


@pytest.fixture
def small_plan(acme) -> Plan:
    plan = Plan.objects.create(code="pequeno-teste", name="Pequeno", monthly_messages=1000, monthly_llm_tokens=0,
                               monthly_outreach=100)
    Subscription.objects.filter(company=acme).update(plan=plan)
    return plan


def month(company, first: date, kind: str, total: int) -> None:
    UsageDaily.objects.update_or_create(company=company, day=first, kind=kind, defaults={"quantity": total})


def test_two_months_running_at_80_percent_suggest_an_upgrade(db, acme, small_plan):
    month(acme, date(2026, 1, 1), "messages", 850)
    month(acme, date(2026, 2, 1), "messages", 920)
    month(acme, date(2026, 2, 1), "outreach", 95)  # one month only: no suggestion for it
    month(acme, date(2026, 3, 1), "outreach", 10)

    platform_recommendations_compute(today=TODAY)

    [row] = CompanyRecommendation.objects.filter(company=acme, kind=Kind.UPGRADE)
    assert row.subject == "messages" and row.score == 0.85
    assert row.summary == ("Mensagens respondidas: 85 % do limite em 2026-01 e 92 % em 2026-02 "
                           "(plano Pequeno: 1.000 por mês)")
    assert [p["ratio"] for p in row.evidence["periods"]] == [0.85, 0.92, 0.0]


def test_the_current_month_counts_as_the_second_period(db, acme, small_plan):
    month(acme, date(2026, 1, 1), "messages", 500)
    month(acme, date(2026, 2, 1), "messages", 810)
    month(acme, date(2026, 3, 1), "messages", 800)

    platform_recommendations_compute(today=TODAY)

    row = CompanyRecommendation.objects.get(company=acme, kind=Kind.UPGRADE)
    assert row.summary.startswith("Mensagens respondidas: 81 % do limite em 2026-02 e 80 % em 2026-03")


def test_an_upgrade_is_suggested_once_and_ends_when_usage_drops(db, acme, small_plan):
    month(acme, date(2026, 1, 1), "messages", 850)
    month(acme, date(2026, 2, 1), "messages", 920)
    platform_recommendations_compute(today=TODAY)
    platform_recommendations_compute(today=TODAY)
    assert CompanyRecommendation.objects.filter(company=acme, kind=Kind.UPGRADE).count() == 1

    platform_recommendations_compute(today=date(2026, 4, 2))  # March was quiet: Feb and Mar no longer both 80 %

    assert CompanyRecommendation.objects.get(company=acme, kind=Kind.UPGRADE).status == Status.EXPIRED


def test_unlimited_quotas_never_suggest_an_upgrade(db, acme, small_plan):
    month(acme, date(2026, 1, 1), "ai_tokens", 10**9)
    month(acme, date(2026, 2, 1), "ai_tokens", 10**9)

    platform_recommendations_compute(today=TODAY)

    assert not CompanyRecommendation.objects.filter(company=acme, kind=Kind.UPGRADE).exists()


def test_the_staff_answer_once(db, acme):
    row = CompanyRecommendation.objects.create(company=acme, kind=Kind.CHURN_RISK, score=0.7, summary="x")

    company_recommendation_decide(recommendation=row, status=Status.ACCEPTED, actor="admin@plataforma.test")
    company_recommendation_decide(recommendation=row, status=Status.ACCEPTED, actor="outro@plataforma.test")

    row.refresh_from_db()
    assert row.status == Status.ACCEPTED and row.decided_by == "admin@plataforma.test"
    with pytest.raises(Conflict, match="já está aceita"):
        company_recommendation_decide(recommendation=row, status=Status.DISMISSED, actor="admin@plataforma.test")


def test_one_global_daily_job_runs_the_platform_view_in_the_public_schema(db, acme, settings):
    from celery_app import app

    entry = app.conf.beat_schedule["analytics-platform-recommendations"]
    assert entry["task"] == "analytics.platform_recommendations" and "args" not in entry
    assert "analytics.recommendations_compute" in settings.TENANT_PERIODIC_TASKS["daily"]
    weeks(acme, before=(100, 5), last=(100, 5))
    Subscription.objects.filter(company=acme).update(status=Subscription.Status.PAST_DUE)

    app.loader.import_default_modules()  # what a worker does at start: autodiscovery finds the task
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        result = app.tasks["analytics.platform_recommendations"].delay().get()
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = previous

    assert result["created"] >= 1
    assert churn_of(acme).summary == "Pagamento: assinatura em atraso"
