"""Writes for the payment providers: opening a checkout, and receiving a provider's event.

Receiving is where the guarantees live (docs/contracts/billing-providers.md §8.5):
- every authenticated event is stored once per (provider, event id); a replay answers like the
  first delivery and is not applied again;
- events are applied under a row lock on the company's ProviderState, newest first wins: one
  older than the last applied state is kept as `ignored_older`, never applied;
- an event naming no company we know is kept as `unmapped` for review;
- applying goes through billing.services.subscription_sync, which records the change and its cause.
"""

from __future__ import annotations

import structlog
from django.db import IntegrityError, transaction

from billing import services as billing_services
from billing.payments.errors import PaymentProviderUnavailable
from billing.payments.metrics import BILLING_EVENTS
from billing.payments.models import PaymentEvent, ProviderState
from billing.payments.providers import ProviderEvent, provider_get
from tenants.models import Company

log = structlog.get_logger(__name__)

Status = PaymentEvent.Status
# A replay of an event in one of these states was fully handled: it is answered, not redone.
SETTLED = frozenset({Status.APPLIED, Status.IGNORED_OLDER, Status.IGNORED_TYPE})
REF_FIELDS = ["customer_ref", "subscription_ref", "plan_code"]
KNOWN_TYPES = {
    "stripe": frozenset({"checkout.session.completed", "customer.subscription.created", "customer.subscription.updated",
                         "customer.subscription.deleted", "invoice.paid", "invoice.payment_failed"}),
    "asaas": frozenset({"PAYMENT_CREATED", "PAYMENT_CONFIRMED", "PAYMENT_RECEIVED", "PAYMENT_RECEIVED_IN_CASH",
                        "PAYMENT_OVERDUE", "PAYMENT_REFUNDED", "PAYMENT_DELETED", "SUBSCRIPTION_CREATED",
                        "SUBSCRIPTION_UPDATED", "SUBSCRIPTION_INACTIVATED", "SUBSCRIPTION_DELETED"}),
}


def checkout_start(*, company: Company, plan, provider: str, tax_id: str = "") -> str:
    """Open a checkout for `company` on `plan` with `provider`; returns the URL the owner is sent to.

    Raises PaymentProviderUnavailable (pt-BR message) when the provider is unknown or not configured,
    PaymentProviderError when the provider refused or could not be reached. `tax_id` (CPF/CNPJ) is
    passed to providers that want one on the customer (Asaas).
    """
    client = provider_get(provider)
    if client is None:
        raise PaymentProviderUnavailable(f"Forma de pagamento desconhecida: {provider}.")
    result = client.checkout(company=company, plan=plan, tax_id=tax_id)
    if result.subscription_ref:
        # The provider created the subscription now (Asaas): remember it and its plan, which its events
        # do not carry. Stripe creates it only once paid, and its events name the plan themselves.
        with transaction.atomic():
            state, _ = ProviderState.objects.select_for_update().get_or_create(company=company, provider=provider)
            state.plan_code, state.subscription_ref = plan.code, result.subscription_ref
            state.customer_ref = result.customer_ref or state.customer_ref
            state.save(update_fields=["plan_code", "customer_ref", "subscription_ref"])
    log.info("billing.checkout_started", company=company.slug, provider=provider, plan=plan.code)
    return result.url


def payment_event_receive(*, event: ProviderEvent) -> PaymentEvent:
    """Store an authenticated provider event and apply it once, newest state first.

    Never raises for what a provider may send: whatever cannot be applied is stored with a status
    and an error for review, and the caller answers 200 so the provider stops retrying.
    """
    row, created = _stored(event)
    if not created and row.status in SETTLED:
        _count(event, "duplicate")
        return row
    try:
        with transaction.atomic():
            _apply(row, event)
    except Exception as exc:  # noqa: BLE001 - a provider's event must never become a 5xx; it is kept for review
        log.exception("billing.payment_event_failed", provider=event.provider, event_id=event.event_id)
        PaymentEvent.objects.filter(pk=row.pk).update(status=Status.REJECTED, error=f"{type(exc).__name__}: {exc}")
    row.refresh_from_db()
    _count(event, row.status)
    return row


def _stored(event: ProviderEvent) -> tuple[PaymentEvent, bool]:
    defaults = {"type": event.type[:80], "payload": event.raw, "object_timestamp": event.occurred_at,
                "company_ref": event.company_slug[:255]}
    try:
        with transaction.atomic():
            return PaymentEvent.objects.get_or_create(provider=event.provider, event_id=event.event_id[:255],
                                                      defaults=defaults)
    except IntegrityError:
        # Two deliveries of one event raced: the other one stored it.
        return PaymentEvent.objects.get(provider=event.provider, event_id=event.event_id[:255]), False


def _apply(row: PaymentEvent, event: ProviderEvent) -> None:
    row = PaymentEvent.objects.select_for_update().get(pk=row.pk)
    if row.status in SETTLED:
        return  # a concurrent replay applied it while we waited for the lock
    company = _company_for(event)
    if company is None:
        _finish(row, Status.UNMAPPED, error=f"Nenhuma empresa para a referência {event.company_slug!r}.")
        return
    row.company = company
    state, _ = ProviderState.objects.get_or_create(company=company, provider=event.provider)
    state = ProviderState.objects.select_for_update().get(pk=state.pk)  # one event per company at a time
    plan_code = _plan_code(state, event)
    _remember_refs(state, event, plan_code)
    if event.status is None:
        _finish(row, Status.IGNORED_TYPE)
        state.save(update_fields=REF_FIELDS)
        return
    if event.occurred_at is None:
        _finish(row, Status.REJECTED, error="Evento sem data: não dá para ordenar com os demais.")
        return
    if state.last_applied_at and event.occurred_at < state.last_applied_at:
        _finish(row, Status.IGNORED_OLDER)
        state.save(update_fields=REF_FIELDS)
        return
    billing_services.subscription_sync(
        company=company, status=event.status, plan_code=plan_code,
        period_end=event.period_end, cause="provider", occurred_at=event.occurred_at, provider=event.provider,
        reference=event.event_id,
    )
    state.last_applied_at, state.last_event = event.occurred_at, row
    state.save(update_fields=[*REF_FIELDS, "last_applied_at", "last_event"])
    _finish(row, Status.APPLIED)


def _company_for(event: ProviderEvent) -> Company | None:
    """By the slug our checkout wrote into the provider's object, else by the provider's own ids."""
    if event.company_slug:
        company = Company.objects.filter(slug=event.company_slug).first()
        if company is not None and not company.is_internal:
            return company
        return None  # a slug that names no company is not guessed from ids: kept for review
    for field, value in (("subscription_ref", event.subscription_ref), ("customer_ref", event.customer_ref)):
        if value:
            state = ProviderState.objects.filter(provider=event.provider, **{field: value}).select_related("company")
            if (found := state.first()) is not None:
                return found.company
    return None


def _plan_code(state: ProviderState, event: ProviderEvent) -> str | None:
    """The event's own plan, else the plan of the subscription our checkout created, if it is this one.

    Tied to the subscription so that a checkout for another plan, left unpaid, never moves the plan
    when the old subscription renews.
    """
    if event.plan_code:
        return event.plan_code
    if event.subscription_ref and event.subscription_ref == state.subscription_ref:
        return state.plan_code or None
    return None


def _remember_refs(state: ProviderState, event: ProviderEvent, plan_code: str | None) -> None:
    """Keep the provider's ids for later events that do not name the company.

    Another subscription replaces the remembered one only when its event names its plan (Stripe's
    subscription events) or none is remembered yet: an old subscription's renewal must not make us
    forget the one a newer checkout created.
    """
    state.customer_ref = event.customer_ref or state.customer_ref
    other = event.subscription_ref and event.subscription_ref != state.subscription_ref
    if other and (event.plan_code or not state.subscription_ref):
        state.subscription_ref, state.plan_code = event.subscription_ref, event.plan_code or ""
    elif not other and plan_code:
        state.plan_code = plan_code


def _finish(row: PaymentEvent, status: str, *, error: str = "") -> None:
    row.status, row.error = status, error
    row.save(update_fields=["status", "error", "company"])


def _count(event: ProviderEvent, result: str) -> None:
    billing_event_count(provider=event.provider, type=event.type, result=result)


def billing_event_count(*, provider: str, type: str, result: str) -> None:  # noqa: A002 - the label's name
    # Types are the provider's free text: only the known ones become label values (bounded series).
    known = not type or type in KNOWN_TYPES.get(provider, ())  # "": refused before the type was read
    BILLING_EVENTS.labels(provider=provider, type=type if known else "other", result=result).inc()
