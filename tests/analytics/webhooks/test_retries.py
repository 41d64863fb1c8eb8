"""Failed deliveries are retried with growing, jittered delays for 24 hours, under the same webhook-id, each
attempt signed anew; then the endpoint is disabled and its owner mailed. Neither a lost Celery message
nor a task run twice loses or doubles a delivery. The clock is driven with time-machine: the countdown
messages the task queues for near retries and the minute sweeper for later ones are called by hand."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from agenda.models import Professional, Service
from agenda.services.booking import appointment_book
from agenda.types import Slot
from analytics.webhooks.delivery import COUNTDOWN_MAX
from analytics.webhooks.models import WebhookDelivery
from analytics.webhooks.services import (
    SEND_LEASE,
    deliveries_create,
    deliveries_due_enqueue,
    deliveries_prune,
    endpoint_update,
)
from analytics.webhooks.tasks import webhook_deliver_task
from secretaria.url_check import INTERNAL
from tests.agenda.automation_helpers import calendar_make
from tests.analytics.webhooks.helpers import MONDAY_9, deliveries, endpoint_to
from tests.conversations.factories import ContactFactory

DELAYS = [5, 300, 1800, 7200, 18000, 36000]  # the default WEBHOOKS_RETRY_DELAYS, each ±20 %


def attempts_counted(result: str) -> float:
    return REGISTRY.get_sample_value("secretaria_webhook_deliveries_total", {"result": result}) or 0.0


def durations_observed() -> float:
    return REGISTRY.get_sample_value("secretaria_webhook_delivery_duration_seconds_count") or 0.0


def book_one(start=None):
    """An appointment booked by the staff (Ana's Consulta, made on first use): one booking.created."""
    professional = Professional.objects.filter(name="Ana").first()
    service = Service.objects.filter(name="Consulta").first()
    if professional is None:
        professional, service = calendar_make()
    start = start or MONDAY_9 + timedelta(days=3)
    return appointment_book(contact=ContactFactory(), slot=Slot(start, start + timedelta(minutes=30), service.pk,
                                                                professional.pk), source="api", actor="owner@acme.test")


def next_attempt(delivery: WebhookDelivery, time_machine, captured) -> None:
    """Move to the delivery's next attempt and run it the way production would."""
    time_machine.move_to(delivery.next_attempt_at, tick=False)
    with captured():
        if delivery.next_attempt_at - delivery.last_attempt_at <= COUNTDOWN_MAX:
            assert deliveries_due_enqueue() == 0  # leased to the countdown message the last attempt queued
            webhook_deliver_task(delivery.pk)  # ...which arrives now
        else:
            assert deliveries_due_enqueue() == 1  # a later retry is the sweeper's
    delivery.refresh_from_db()


@pytest.mark.parametrize("path, status_code, error, result", [
    ("/fail", 500, "O endpoint respondeu 500.", "http_error"),
    ("/redirect", 302, "O endpoint respondeu 302 (redirecionamento): redirecionamentos não são seguidos; "
                       "use a URL final.", "http_error"),
    ("/slow", None, "O endpoint não respondeu em 0,3 s.", "timeout"),
])
def test_a_failing_endpoint_is_retried_for_24_hours_then_disabled_and_its_owner_mailed(
        path, status_code, error, result, acme, hooks, receiver, captured, time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    hooks.WEBHOOKS_TIMEOUT_SECONDS = 0.3  # the receiver's /slow takes a second
    counted, timed = attempts_counted(result), durations_observed()
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, path, ["booking.created"], description="CRM")
        with captured():
            book_one()
        [delivery] = deliveries(endpoint)
        tried_at = [delivery.last_attempt_at]
        while delivery.status == WebhookDelivery.Status.PENDING:
            assert (delivery.status_code, delivery.error) == (status_code, error)
            next_attempt(delivery, time_machine, captured)
            tried_at.append(delivery.last_attempt_at)
        endpoint.refresh_from_db()

    gaps = [(later - earlier).total_seconds() for earlier, later in zip(tried_at, tried_at[1:], strict=False)]
    assert all(0.8 * base <= gap <= 1.2 * base for gap, base in zip(gaps[:6], DELAYS, strict=True)), gaps
    assert gaps[:6] == sorted(gaps[:6])  # growing
    assert tried_at[-1] == delivery.created_at + timedelta(hours=24)  # the last attempt closes the window
    assert len(tried_at) == delivery.attempts in (8, 9)  # depends on the jitter: 14 h to 21 h for the first 7
    assert (delivery.status, delivery.status_code, delivery.error) == ("failed", status_code, error)
    assert delivery.next_attempt_at is None
    assert attempts_counted(result) - counted == durations_observed() - timed == delivery.attempts

    got = receiver.received(path)
    assert len(got) == delivery.attempts
    assert {r.headers["webhook-id"] for r in got} == {delivery.message_id}  # stable across retries
    assert all(r.payload is not None for r in got)  # each signed anew, at its own time, and verifiable
    assert len({r.headers["webhook-timestamp"] for r in got}) == len(got)
    assert receiver.received("/ok") == []  # a redirect is never followed

    assert not endpoint.enabled and endpoint.disabled_at == tried_at[-1]
    assert endpoint.note.startswith("Desativado automaticamente em 03/03/2026 às 09:00: nenhuma entrega aceita "
                                    "em 24 horas")
    assert error in endpoint.note
    [message] = mail.outbox
    assert message.to == ["owner@acme.test"]
    assert "webhook desativado (CRM)" in message.subject
    assert endpoint.url in message.body and "reative-o" in message.body


def test_a_disabled_endpoint_is_not_retried_and_re_enabling_it_resets_the_clock(acme, hooks, receiver, captured,
                                                                                 time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/fail", ["booking.created"])
        with captured():
            book_one()
        [delivery] = deliveries(endpoint)
        endpoint.refresh_from_db()
        assert endpoint.failing_since == delivery.created_at and endpoint.last_status_code == 500

        endpoint_update(endpoint=endpoint, enabled=False)
        next_attempt(delivery, time_machine, captured)
        assert (delivery.status, delivery.attempts) == ("failed", 1)
        assert delivery.error == "O webhook está desativado: o evento não foi enviado."

        endpoint = endpoint_update(endpoint=endpoint, enabled=True, url=f"{receiver.url}/ok")
        receiver.expect("/ok", endpoint.secret)
        assert (endpoint.failing_since, endpoint.disabled_at, endpoint.note) == (None, None, "")
        with captured():
            book_one(MONDAY_9 + timedelta(days=4))
        endpoint.refresh_from_db()

    assert len(receiver.received("/fail")) == 1 and len(receiver.received("/ok")) == 1
    assert endpoint.last_success_at == timezone.now() and endpoint.failing_since is None


def test_a_lost_message_is_queued_again_by_the_sweeper(acme, hooks, receiver, captured, time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
        # Written and committed, but its Celery message never reaches a worker (the commit's callbacks are dropped).
        [delivery] = deliveries_create(event_type="booking.created", data={"x": 1}, occurred_at=MONDAY_9,
                                       endpoints=[endpoint])
        with captured():
            assert deliveries_due_enqueue() == 0  # queued a moment ago: its message may still be on its way
        time_machine.move_to(MONDAY_9 + timedelta(minutes=3), tick=False)
        with captured():
            assert deliveries_due_enqueue() == 1
        delivery.refresh_from_db()

    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert [r.headers["webhook-id"] for r in receiver.received("/ok")] == [delivery.message_id]


def test_a_task_run_twice_or_while_another_sends_never_sends_twice(acme, hooks, receiver, captured, time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
        [held] = deliveries_create(event_type="booking.created", data={"x": 1}, occurred_at=MONDAY_9,
                                   endpoints=[endpoint])
        WebhookDelivery.objects.filter(pk=held.pk).update(sending_since=timezone.now())  # a worker is on it

        assert webhook_deliver_task(held.pk) == "skipped"
        time_machine.move_to(MONDAY_9 + SEND_LEASE + timedelta(seconds=1), tick=False)  # ...and died
        assert webhook_deliver_task(held.pk) == "delivered"
        assert webhook_deliver_task(held.pk) == "skipped"  # Celery redelivers the message: nothing more is sent
        held.refresh_from_db()

    assert (held.status, held.attempts) == ("delivered", 1)
    assert len(receiver.received("/ok")) == 1


def test_a_url_that_now_resolves_inside_the_network_is_a_failed_attempt_without_a_request(acme, hooks, receiver,
                                                                                        captured, time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    blocked, timed = attempts_counted("blocked"), durations_observed()
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])  # accepted while private addresses were
        hooks.WEBHOOKS_ALLOW_PRIVATE_URLS = False  # the guard as production runs it, checked again at delivery
        with captured():
            book_one()
        [delivery] = deliveries(endpoint)

    assert receiver.received() == []
    assert (delivery.status, delivery.attempts, delivery.status_code, delivery.error) == ("pending", 1, None,
                                                                                          INTERNAL)
    assert delivery.next_attempt_at is not None
    assert attempts_counted("blocked") - blocked == 1 and durations_observed() == timed  # no request, no duration


def test_old_finished_deliveries_are_pruned_and_owed_ones_kept(acme, hooks, receiver, time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
        old_done, old_owed, recent = deliveries_create(
            event_type="booking.created", data={}, occurred_at=MONDAY_9, endpoints=[endpoint] * 3)
        WebhookDelivery.objects.filter(pk__in=[old_done.pk, recent.pk]).update(status="delivered")
        WebhookDelivery.objects.filter(pk=recent.pk).update(created_at=MONDAY_9 + timedelta(days=25))

        assert deliveries_prune(now=MONDAY_9 + timedelta(days=31)) == 1
        assert sorted(d.pk for d in deliveries(endpoint)) == sorted([old_owed.pk, recent.pk])
