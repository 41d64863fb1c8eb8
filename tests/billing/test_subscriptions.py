"""The subscription's lifecycle (trialing -> active -> past_due -> suspended -> canceled), every change
recorded with its cause, and what a suspended company may still do."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from billing.models import Plan, Subscription, SubscriptionChange
from billing.selectors import (
    subscription_allows,
    subscription_effective_status,
    subscription_period,
    subscription_state,
)
from billing.services import (
    plan_change,
    subscription_cancel,
    subscription_reactivate,
    subscription_start,
    subscription_suspend,
    subscription_sync,
    subscription_tick,
)
from billing.tasks import subscription_tick_task
from compliance.models import AuditEvent
from tests.billing.helpers import subscription_of
from tests.conftest import member
from tests.factories import CompanyFactory

Status = Subscription.Status
Cause = SubscriptionChange.Cause


def changes_of(company) -> list[SubscriptionChange]:
    return list(SubscriptionChange.objects.filter(subscription__company=company).order_by("id"))


def past_due(company, *, since):
    return subscription_sync(company=company, status=Status.PAST_DUE, plan_code=None, period_end=None,
                             cause=Cause.PROVIDER, occurred_at=since, provider="asaas", reference="evt_overdue")


# --- plan changes ---------------------------------------------------------------------------------


def test_a_plan_change_takes_effect_at_once_and_keeps_the_period(acme):
    before = subscription_of(acme)
    owner = member(acme, "owner")

    after = plan_change(company=acme, plan_code="pro", cause=Cause.API, actor=owner)

    assert subscription_of(acme).plan.code == "pro"
    assert subscription_of(acme).plan.limits()["messages"] == Plan.objects.get(code="pro").monthly_messages
    # The period (and so the usage metering counts in it) carries over.
    assert (after.current_period_start, after.current_period_end) == (before.current_period_start,
                                                                       before.current_period_end)
    change = changes_of(acme)[-1]
    assert (change.from_plan.code, change.to_plan.code) == ("free", "pro")
    assert (change.cause, change.actor) == ("api", "owner@acme.test")
    assert change.from_status == change.to_status == "active"


def test_a_downgrade_is_allowed_and_recorded(acme):
    plan_change(company=acme, plan_code="pro", cause=Cause.ADMIN, actor="admin@plataforma.test")

    plan_change(company=acme, plan_code="free", cause=Cause.ADMIN, actor="admin@plataforma.test")

    assert subscription_of(acme).plan.code == "free"
    assert [(c.from_plan.code, c.to_plan.code) for c in changes_of(acme)[-2:]] == [("free", "pro"), ("pro", "free")]


@pytest.mark.parametrize("code", ["diamante", ""])
def test_an_unknown_plan_is_refused_in_portuguese_and_nothing_changes(acme, code):
    count = len(changes_of(acme))

    with pytest.raises(ValidationError) as refused:
        plan_change(company=acme, plan_code=code, cause=Cause.API)

    assert refused.value.message_dict == {"plan": [f"Plano desconhecido: {code}."]}
    assert subscription_of(acme).plan.code == "free" and len(changes_of(acme)) == count


def test_an_unavailable_plan_is_refused(acme):
    Plan.objects.filter(code="essencial").update(is_active=False)

    with pytest.raises(ValidationError):
        plan_change(company=acme, plan_code="essencial", cause=Cause.ADMIN)


def test_the_same_plan_again_records_nothing(acme):
    count = len(changes_of(acme))

    plan_change(company=acme, plan_code="free", cause=Cause.API)

    assert len(changes_of(acme)) == count


# --- the audit trails ----------------------------------------------------------------------------


def test_every_change_reaches_the_company_audit_trail_and_the_field_history(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscription_suspend(company=acme, cause=Cause.ADMIN, actor="admin@plataforma.test")

    with schema_context("acme"):
        event = AuditEvent.objects.filter(action="billing.subscription_changed").order_by("-seq").first()
    assert event is not None and event.actor == "admin@plataforma.test"
    assert event.data["from_status"] == "active" and event.data["to_status"] == "suspended"
    assert event.data["cause"] == "admin"
    subscription = subscription_of(acme)
    entry = LogEntry.objects.get_for_object(subscription).order_by("-timestamp").first()
    assert entry is not None and entry.changes_dict["status"] == ["active", "suspended"]


def test_the_audit_event_stays_in_its_company(acme, globex, django_capture_on_commit_callbacks):
    with schema_context("globex"):
        before = AuditEvent.objects.filter(action="billing.subscription_changed").count()

    with django_capture_on_commit_callbacks(execute=True):
        plan_change(company=acme, plan_code="pro", cause=Cause.API)

    with schema_context("globex"):
        assert AuditEvent.objects.filter(action="billing.subscription_changed").count() == before
    assert subscription_of(globex).plan.code == "free"


# --- the lifecycle ---------------------------------------------------------------------------------


def test_a_new_company_on_a_plan_with_a_trial_starts_trialing(db, unique):
    company = CompanyFactory(slug=f"teste-{unique}", plan="pro")

    subscription = subscription_of(company)
    assert subscription.status == "trialing"
    trial, second = timedelta(days=subscription.plan.trial_days), timedelta(seconds=1)
    assert trial - second < subscription.trial_ends_at - subscription.started_at < trial + second
    assert subscription.current_period_start <= subscription.started_at < subscription.current_period_end
    (first,) = changes_of(company)
    assert (first.from_status, first.to_status, first.cause) == ("", "trialing", "system")


def test_a_free_plan_starts_active(acme):
    subscription = subscription_of(acme)
    assert subscription.status == "active" and subscription.trial_ends_at is None


def test_past_due_is_served_within_the_grace_period_and_suspended_after_it(acme):
    since = timezone.now() - timedelta(days=2)
    past_due(acme, since=since)
    grace = timedelta(days=subscription_of(acme).plan.grace_days)

    assert subscription_tick(company=acme, now=since + grace - timedelta(seconds=1)).status == "past_due"
    assert subscription_allows(acme.pk, "auto_reply")

    ticked = subscription_tick(company=acme, now=since + grace + timedelta(hours=5))

    assert ticked.status == "suspended"
    change = changes_of(acme)[-1]
    assert (change.from_status, change.to_status, change.cause) == ("past_due", "suspended", "system")
    assert change.occurred_at == since + grace  # when the grace ran out, not when the task ran


def test_the_tick_is_idempotent(acme):
    since = timezone.now() - timedelta(days=30)
    past_due(acme, since=since)

    subscription_tick(company=acme)
    subscription_tick(company=acme)

    assert [c.to_status for c in changes_of(acme)].count("suspended") == 1


def test_a_step_already_recorded_by_another_worker_is_not_recorded_again(acme):
    since = timezone.now() - timedelta(days=30)
    past_due(acme, since=since)
    stale = subscription_of(acme)
    subscription_tick(company=acme)  # the other worker

    from billing.services import _apply, _Change

    _apply(acme, _Change(cause=Cause.SYSTEM, status=Status.SUSPENDED), expect_status=stale.status)

    assert [c.to_status for c in changes_of(acme)].count("suspended") == 1


def test_grace_days_are_the_plan_s(acme):
    Plan.objects.filter(code="free").update(grace_days=0)
    past_due(acme, since=timezone.now() - timedelta(minutes=1))

    assert subscription_effective_status(subscription_of(acme)) == "suspended"


@pytest.fixture
def payments_on(settings):
    """A payment provider is configured: a paid plan's trial ends waiting for its payment."""
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_local", "whsec_local"


def test_a_paid_trial_that_ended_waits_for_payment_then_is_suspended(db, unique, payments_on):
    company = CompanyFactory(slug=f"teste-{unique}", plan="pro")
    trial_end = subscription_of(company).trial_ends_at
    grace = timedelta(days=subscription_of(company).plan.grace_days)

    assert subscription_tick(company=company, now=trial_end + timedelta(hours=1)).status == "past_due"
    assert subscription_of(company).past_due_since == trial_end
    assert subscription_tick(company=company, now=trial_end + grace + timedelta(hours=1)).status == "suspended"
    assert [c.to_status for c in changes_of(company)] == ["trialing", "past_due", "suspended"]


def test_without_a_payment_provider_a_paid_trial_that_ended_goes_on_active(db, unique, settings):
    """Self-hosting: no provider takes payments, the platform admin assigns plans by hand."""
    settings.STRIPE_SECRET_KEY = settings.ASAAS_API_KEY = ""
    company = CompanyFactory(slug=f"teste-{unique}", plan="pro")
    later = subscription_of(company).trial_ends_at + timedelta(days=60)

    assert subscription_tick(company=company, now=later).status == "active"
    assert [c.to_status for c in changes_of(company)] == ["trialing", "active"]


def test_a_trial_long_over_walks_every_step_in_one_tick(db, unique, payments_on):
    company = CompanyFactory(slug=f"teste-{unique}", plan="pro")
    later = subscription_of(company).trial_ends_at + timedelta(days=60)

    assert subscription_tick(company=company, now=later).status == "suspended"
    assert [c.to_status for c in changes_of(company)] == ["trialing", "past_due", "suspended"]


def test_a_free_trial_that_ended_goes_on_active(db, unique):
    Plan.objects.filter(code="free").update(trial_days=3)
    company = CompanyFactory(slug=f"teste-{unique}", plan="free")
    trial_end = subscription_of(company).trial_ends_at

    assert subscription_tick(company=company, now=trial_end + timedelta(minutes=1)).status == "active"
    assert subscription_of(company).current_period_start <= trial_end < subscription_of(company).current_period_end


def test_reactivating_a_suspended_company_serves_it_again(acme):
    subscription_suspend(company=acme, cause=Cause.ADMIN, actor="admin@plataforma.test")
    assert not subscription_allows(acme.pk, "auto_reply")

    subscription_reactivate(company=acme, cause=Cause.ADMIN, actor="admin@plataforma.test")

    assert subscription_allows(acme.pk, "auto_reply")
    assert [(c.to_status, c.cause) for c in changes_of(acme)[-2:]] == [("suspended", "admin"), ("active", "admin")]


def test_a_canceled_subscription_keeps_the_inbox_and_reminders_and_stops_automatic_replies(acme):
    subscription_cancel(company=acme, cause=Cause.API, actor="owner@acme.test")

    assert subscription_of(acme).canceled_at is not None
    assert {what: subscription_allows(acme.pk, what) for what in
            ("store_message", "staff_reply", "staff_access", "auto_reply", "ai", "outreach")} == {
        "store_message": True, "staff_reply": True, "staff_access": True,
        "auto_reply": False, "ai": False, "outreach": True}


def test_an_unknown_capability_is_a_programming_error(acme):
    with pytest.raises(ValueError):
        subscription_allows(acme.pk, "everything")


def test_the_period_rolls_into_the_month_containing_now_when_no_provider_renews_it(acme):
    subscription = subscription_of(acme)
    later = subscription.current_period_end + timedelta(days=40)

    assert subscription_period(acme.pk, now=later)[0] <= later < subscription_period(acme.pk, now=later)[1]
    rolled = subscription_tick(company=acme, now=later)

    assert rolled.current_period_start <= later < rolled.current_period_end
    assert rolled.current_period_start > subscription.current_period_end
    assert len(changes_of(acme)) == 1  # a new period is no status or plan change


# --- the provider's states -------------------------------------------------------------------------


def test_a_provider_state_is_applied_with_its_reference(acme):
    now = timezone.now()
    end = now + timedelta(days=30)

    subscription_sync(company=acme, status="active", plan_code="pro", period_end=end, cause=Cause.PROVIDER,
                      occurred_at=now, provider="stripe", reference="evt_1")

    subscription = subscription_of(acme)
    assert (subscription.plan.code, subscription.provider, subscription.current_period_end) == ("pro", "stripe", end)
    change = changes_of(acme)[-1]
    assert (change.cause, change.provider, change.reference) == ("provider", "stripe", "evt_1")


def test_an_older_provider_state_arriving_late_is_ignored(acme):
    now = timezone.now()
    subscription_sync(company=acme, status="past_due", plan_code="pro", period_end=None, cause=Cause.PROVIDER,
                      occurred_at=now, provider="stripe", reference="evt_new")

    subscription_sync(company=acme, status="active", plan_code="free", period_end=None, cause=Cause.PROVIDER,
                      occurred_at=now - timedelta(minutes=5), provider="stripe", reference="evt_old")

    subscription = subscription_of(acme)
    assert (subscription.status, subscription.plan.code) == ("past_due", "pro")
    assert "evt_old" not in [c.reference for c in changes_of(acme)]


def test_the_same_provider_state_twice_is_recorded_once(acme):
    now = timezone.now()
    for _ in range(2):
        subscription_sync(company=acme, status="active", plan_code="pro", period_end=None, cause=Cause.PROVIDER,
                          occurred_at=now, provider="asaas", reference="pay_1")

    assert [c.reference for c in changes_of(acme)].count("pay_1") == 1


def test_a_renewal_starts_a_new_period(acme):
    subscription = subscription_of(acme)
    renewed_at = subscription.current_period_end + timedelta(minutes=1)
    next_end = renewed_at + timedelta(days=30)

    subscription_sync(company=acme, status="active", plan_code=None, period_end=next_end, cause=Cause.PROVIDER,
                      occurred_at=renewed_at, provider="stripe", reference="evt_renewal")

    renewed = subscription_of(acme)
    assert (renewed.current_period_start, renewed.current_period_end) == (subscription.current_period_end, next_end)


def test_a_payment_after_past_due_clears_it_and_keeps_the_period(acme):
    past_due(acme, since=timezone.now() - timedelta(days=1))
    before = subscription_of(acme)

    subscription_sync(company=acme, status="active", plan_code=None, period_end=None, cause=Cause.PROVIDER,
                      occurred_at=timezone.now(), provider="asaas", reference="pay_late")

    after = subscription_of(acme)
    assert (after.status, after.past_due_since) == ("active", None)
    assert after.current_period_start == before.current_period_start


def test_an_unknown_plan_from_the_provider_keeps_the_plan_and_says_so(acme):
    subscription_sync(company=acme, status="past_due", plan_code="ouro", period_end=None, cause=Cause.PROVIDER,
                      occurred_at=timezone.now(), provider="stripe", reference="evt_x")

    assert subscription_of(acme).plan.code == "free"
    assert changes_of(acme)[-1].note == "Plano desconhecido no provedor: ouro."


def test_an_unknown_status_is_refused(acme):
    with pytest.raises(ValidationError):
        subscription_sync(company=acme, status="paused", plan_code=None, period_end=None, cause=Cause.PROVIDER,
                          occurred_at=timezone.now())


# --- the hot path and the beat --------------------------------------------------------------------


def test_inside_the_company_the_answer_is_cached_and_a_change_is_seen_at_once(acme):
    with tenant_context(acme):
        assert subscription_allows(acme.pk, "auto_reply")

        subscription_suspend(company=acme, cause=Cause.SYSTEM)

        assert not subscription_allows(acme.pk, "auto_reply")
        assert subscription_allows(acme.pk, "store_message")


def test_the_tick_runs_daily_for_every_company_through_the_dispatcher(acme):
    assert "billing.subscription_tick" in settings.TENANT_PERIODIC_TASKS["daily"]
    past_due(acme, since=timezone.now() - timedelta(days=30))

    with tenant_context(acme):
        assert subscription_tick_task.apply().get() == "suspended"


def test_starting_twice_is_refused_by_the_database(acme):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        subscription_start(company=acme, plan=Plan.objects.get(code="free"))


# --- metering sees a plan change at once ------------------------------------------------------------


def test_a_plan_change_gives_the_live_counters_the_new_limits_and_keeps_the_usage(acme,
                                                                                 django_capture_on_commit_callbacks):
    from billing.metering import counters
    from billing.metering.services import usage_add, usage_live
    from secretaria.redis_client import get_redis

    key = counters.usage_key(schema="acme")
    get_redis().delete(key)
    try:
        with tenant_context(acme):
            usage_live()  # built from the rows first: an increment counts only on a built hash
            usage_add({"messages": 3})
        used = counters.used_of(usage_live(schema="acme"), "messages")
        assert used >= 3

        with django_capture_on_commit_callbacks(execute=True):
            plan_change(company=acme, plan_code="pro", cause=Cause.API)

        live = usage_live(schema="acme")
        assert counters.limit_of(live, "messages") == Plan.objects.get(code="pro").monthly_messages
        assert counters.used_of(live, "messages") == used  # the period's usage carries over
    finally:
        get_redis().delete(key)


def test_a_company_without_a_subscription_is_said_plainly(acme):
    Subscription.objects.filter(company=acme).delete()

    with pytest.raises(Subscription.DoesNotExist, match="A empresa Acme não tem assinatura."):
        subscription_sync(company=acme, status="active", plan_code="pro", period_end=None, cause=Cause.PROVIDER,
                          occurred_at=timezone.now(), provider="stripe", reference="evt_orphan")

    assert subscription_tick(company=acme) is None


def test_the_subscription_is_read_once_under_a_schema_context_too(acme, django_assert_num_queries):
    """The reply dispatcher works under schema_context (no tenant object): the hot path still reads the
    subscription from the settings cache, not the database, after the first time."""
    with schema_context(acme.schema_name):
        assert subscription_state(acme.pk).plan_code == "free"
        with django_assert_num_queries(0):
            assert subscription_allows(acme.pk, "auto_reply")
