"""What happened in a company reaches its endpoints: signed to the Standard Webhooks spec, verifiable with
the `standardwebhooks` package, with the body its OpenAPI component documents, and only where subscribed."""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.chat.handler import agenda_turn
from agenda.models import Appointment, FollowUp
from agenda.services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_mark_attended,
    appointment_mark_no_show,
    appointment_reschedule,
)
from agenda.services.config import calendar_config_forget
from agenda.services.followups import followup_answer_record
from agenda.types import Slot
from analytics.webhooks.api.payloads import EVENTS
from analytics.webhooks.events import EVENT_TYPES, TEST_EVENT
from analytics.webhooks.models import WebhookDelivery, WebhookEndpoint
from analytics.webhooks.services import endpoint_test, event_heard
from billing.metering.alerts import alert_raise
from billing.metering.periods import period_of
from conversations.channels.services import channel_configure
from conversations.core.handoff import conversation_handoff
from conversations.turns import Intent, Turn
from secretaria import events
from secretaria.events import publish
from tests.agenda.automation_helpers import calendar_make
from tests.agenda.conftest import demo_calendar  # noqa: F401 - the demo clinic, for the chat booking
from tests.agenda.factories import FollowUpFactory, ProfessionalFactory, ServiceFactory
from tests.analytics.webhooks.helpers import MONDAY_9, SP, body_problems, deliveries, endpoint_to, openapi_components
from tests.conftest import member
from tests.conversations.factories import ContactFactory, ConversationFactory


def slot(service, professional, start):
    return Slot(start, start + timedelta(minutes=service.duration_minutes), service.pk, professional.pk)


def say(contact, text: str, intent: str = "other"):
    return agenda_turn(Turn(contact=contact, conversation=None, texts=(text,), intent=Intent(intent),
                            now=timezone.now(), handoff=False))


def test_a_chat_booking_reaches_the_endpoint_signed_and_verifiable(demo_calendar, hooks, receiver,  # noqa: F811
                                                                   captured, time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    with schema_context(demo_calendar.schema):
        channel_configure(kind="sandbox")
        calendar_config_forget()
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"], description="CRM")
        paula = ContactFactory(phone="5511999990001", name="Paula Lima")
        with captured():
            say(paula, "Oi! Quero agendar uma limpeza de pele", "appointment_request")
            say(paula, "a segunda")
        [delivery] = deliveries(endpoint)
        appointment = Appointment.objects.get(contact=paula)

    [got] = receiver.received("/ok")
    assert got.error == "" and got.payload is not None  # Webhook(secret).verify(body, headers) passed
    assert got.payload == {
        "type": "booking.created",
        "timestamp": "2026-03-02T09:00:00-03:00",
        "data": {
            "appointment": {"id": appointment.pk, "status": "pending", "start": "2026-03-02T11:00:00-03:00",
                            "end": "2026-03-02T12:00:00-03:00", "source": "chat",
                            "service": {"id": demo_calendar.service_id("Limpeza de pele"), "name": "Limpeza de pele"},
                            "professional": {"id": appointment.professional_id, "name": "Juliana (esteticista)"}},
            "contact": {"id": paula.pk, "name": "Paula Lima", "phone": "+5511999990001"},
        },
    }
    assert got.headers["webhook-id"] == delivery.message_id and delivery.message_id.startswith("msg_")
    assert got.headers["webhook-timestamp"] == str(int(MONDAY_9.timestamp()))
    assert got.headers["webhook-signature"].startswith("v1,")
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"] == "Secretaria-Webhooks/1"
    assert got.body == delivery.body.encode()
    assert (delivery.status, delivery.attempts, delivery.status_code, delivery.error) == ("delivered", 1, 200, "")


def test_a_signature_made_with_another_secret_does_not_verify(acme, hooks, receiver, captured, time_machine):
    """The receiver's check is real: the same delivery, verified with another endpoint's secret, fails."""
    time_machine.move_to(MONDAY_9, tick=False)
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
        other = endpoint_to(receiver, "/elsewhere", ["booking.cancelled"])
        receiver.expect("/ok", other.secret)
        professional, service = calendar_make()
        with captured():
            appointment_book(contact=ContactFactory(), slot=slot(service, professional, MONDAY_9 + timedelta(days=1)),
                             source="api", actor="owner@acme.test")
        [delivery] = deliveries(endpoint)

    [got] = receiver.received("/ok")
    assert got.payload is None and got.error == "No matching signature found"
    assert (delivery.status, delivery.status_code) == ("pending", 401)  # refused, so retried later


def test_only_subscribed_endpoints_of_the_company_get_the_event(acme, globex, hooks, receiver, captured,
                                                               time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    with schema_context("globex"):
        endpoint_to(receiver, "/globex", ["booking.created"])
    with schema_context("acme"):
        booked = endpoint_to(receiver, "/booked", ["booking.created", "booking.cancelled"])
        cancelled_only = endpoint_to(receiver, "/cancelled", ["booking.cancelled"])
        paused = endpoint_to(receiver, "/paused", ["booking.created"])
        paused.enabled = False
        paused.save()
        professional, service = calendar_make()
        with captured():
            appointment_book(contact=ContactFactory(), slot=slot(service, professional, MONDAY_9 + timedelta(days=1)),
                             source="api", actor="owner@acme.test")

        assert [d.event_type for d in deliveries(booked)] == ["booking.created"]
        assert deliveries(cancelled_only) == deliveries(paused) == []
    assert [r.path for r in receiver.received()] == ["/booked"]


def test_the_test_event_is_signed_and_delivered_like_the_rest(acme, hooks, receiver, captured):
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
        with captured():
            delivery = endpoint_test(endpoint=endpoint)
        delivery.refresh_from_db()

    [got] = receiver.received("/ok")
    assert got.payload["type"] == TEST_EVENT
    assert got.payload["data"] == {"endpoint_id": endpoint.pk, "message": "Evento de teste enviado pela Secretaria."}
    assert delivery.status == "delivered"


def test_a_quota_alert_raised_in_the_public_schema_reaches_the_companys_endpoint(acme, globex, hooks, receiver,
                                                                                 captured):
    with schema_context("globex"):
        endpoint_to(receiver, "/globex", ["quota.alert"])
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/acme", ["quota.alert"])

    with schema_context("public"), captured():  # a platform job crossing acme's line
        assert alert_raise(schema="acme", period=period_of().replace(year=2002), kind="messages", threshold=80,
                           used=8, limit=10)

    [got] = receiver.received()
    assert got.path == "/acme"
    assert got.payload["data"] == {"kind": "messages", "threshold": 80, "used": 8, "limit": 10,
                                   "period": period_of().replace(year=2002).strftime("%Y-%m")}
    with schema_context("acme"):
        assert [d.status for d in deliveries(endpoint)] == ["delivered"]


def _every_event(company_id: int, professional, service, contact, time_machine) -> None:
    """Each event type once, through the services that publish them (the recommendation's part publishes its own)."""
    staff = "owner@acme.test"
    first = appointment_book(contact=contact, slot=slot(service, professional, MONDAY_9 + timedelta(days=1)),
                             source="admin", actor=staff)
    moved = appointment_reschedule(appointment=first, slot=slot(service, professional, MONDAY_9 + timedelta(days=2)),
                                   actor=staff)
    appointment_cancel(appointment=moved, actor=staff, reason="Cliente viajou")
    visit = appointment_book(contact=contact, slot=slot(service, professional, MONDAY_9 + timedelta(hours=2)),
                             source="api", actor=staff)
    missed = appointment_book(contact=contact, slot=slot(service, professional, MONDAY_9 + timedelta(hours=3)),
                              source="api", actor=staff)
    time_machine.move_to(MONDAY_9 + timedelta(hours=5), tick=False)  # both visits are over
    appointment_mark_attended(appointment=visit, actor=staff)
    appointment_mark_no_show(appointment=missed, actor=staff)
    conversation_handoff(conversation=ConversationFactory(contact=contact), reason="Cliente pediu um atendente")
    followup = FollowUp.objects.filter(appointment=visit).first() or FollowUpFactory(appointment=visit)
    followup_answer_record(followup=followup, text="Nota 9, adorei o atendimento!")
    publish(events.RecommendationCreated(recommendation_id=7, kind="reactivation",
                                         title="12 clientes não voltam há 90 dias"))
    publish(events.QuotaThresholdCrossed(company_id=company_id, kind="ai_tokens", threshold=80, used=800,
                                         limit=1000, period="2026-03"))
    endpoint_test(endpoint=WebhookEndpoint.objects.get())


def test_every_event_types_body_is_the_one_its_openapi_component_documents(acme, hooks, receiver, captured,
                                                                          time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", list(EVENT_TYPES))
        professional, service = calendar_make(name="Dra. Ana Lima", service_name="Consulta")
        with captured():
            _every_event(acme.pk, professional, service, ContactFactory(phone="5511988887777", name="João Alves"),
                         time_machine)
        sent = deliveries(endpoint)
    schema = openapi_components(acme)

    assert {d.event_type for d in sent} == {*EVENT_TYPES, TEST_EVENT}
    assert [d.event_type for d in sent].count("booking.created") == 3  # the first visit, the attended, the missed
    assert all(d.status == WebhookDelivery.Status.DELIVERED for d in sent)
    for got in receiver.received("/ok"):
        assert got.payload is not None, got.error
        component = EVENTS[got.payload["type"]].__name__
        assert body_problems(schema, component, got.payload) == [], got.payload["type"]
    by_type = {got.payload["type"]: got.payload["data"] for got in receiver.received("/ok")}
    assert by_type["booking.rescheduled"]["previous_appointment"]["start"] == "2026-03-03T09:00:00-03:00"
    assert by_type["booking.rescheduled"]["appointment"]["start"] == "2026-03-04T09:00:00-03:00"
    assert by_type["booking.cancelled"]["reason"] == "Cliente viajou"
    assert by_type["appointment.attended"]["appointment"]["status"] == "attended"
    assert by_type["appointment.no_show"]["appointment"]["status"] == "no_show"
    assert by_type["handoff.opened"]["reason"] == "Cliente pediu um atendente"
    assert by_type["handoff.opened"]["contact"] == {"id": by_type["handoff.opened"]["contact"]["id"],
                                                    "name": "João Alves", "phone": "+5511988887777"}
    assert (by_type["feedback.received"]["score"], by_type["feedback.received"]["sentiment"]) == (9, "positive")
    assert by_type["recommendation.created"]["title"] == "12 clientes não voltam há 90 dias"
    assert by_type["quota.alert"]["kind"] == "ai_tokens"


def test_the_start_is_written_in_the_companys_time_zone(acme, hooks, receiver, captured):
    """22:30 in São Paulo is already the next day in UTC (01:30); the CRM reads the company's day and hour."""
    with schema_context("acme"):
        endpoint_to(receiver, "/ok", ["booking.created"])
        professional = ProfessionalFactory(name="Ana", weekdays=range(7), weekdays__start=time(7),
                                           weekdays__end=time(23, 30))
        service = ServiceFactory(name="Consulta", duration_minutes=30, professionals=[professional])
        day = (timezone.now() + timedelta(days=2)).astimezone(SP).date()
        late = datetime.combine(day, time(22, 30), tzinfo=SP)
        with captured():
            appointment_book(contact=ContactFactory(), slot=slot(service, professional, late), source="api",
                             actor="owner@acme.test")

    [got] = receiver.received("/ok")
    assert late.astimezone(UTC).date() == day + timedelta(days=1)
    assert got.payload["data"]["appointment"]["start"] == f"{day.isoformat()}T22:30:00-03:00"


def test_the_subscriber_only_writes_rows_and_the_request_waits_for_their_commit(acme, hooks, receiver, time_machine,
                                                                               django_capture_on_commit_callbacks):
    time_machine.move_to(MONDAY_9, tick=False)
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
        professional, service = calendar_make()
        with django_capture_on_commit_callbacks() as booking_commit:
            appointment_book(contact=ContactFactory(), slot=slot(service, professional, MONDAY_9 + timedelta(days=1)),
                             source="chat", actor="customer")
        assert deliveries(endpoint) == []  # nothing before the booking commits
        with django_capture_on_commit_callbacks() as subscriber_commit:
            for callback in booking_commit:
                callback()  # the bus delivers: our subscriber runs, in the publisher's thread
        [delivery] = deliveries(endpoint)
        assert (delivery.status, delivery.attempts) == ("pending", 0)
        assert receiver.received() == []  # no HTTP in the subscriber: the publisher never waits on an endpoint
        for callback in subscriber_commit:
            callback()  # its commit queues the task (in-process here)
        delivery.refresh_from_db()

    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert len(receiver.received("/ok")) == 1


def test_an_event_nobody_subscribed_to_costs_the_publisher_one_query(acme, hooks, receiver, django_assert_num_queries):
    with schema_context("acme"):
        endpoint_to(receiver, "/ok", ["booking.cancelled"])
        event = events.AppointmentBooked(appointment_id=1, contact_id=1, service_id=None, professional_id=None,
                                         start=MONDAY_9, source="chat")
        with django_assert_num_queries(1):  # the subscribed endpoints; the appointment is not even read
            event_heard(event)
        assert WebhookDelivery.objects.count() == 0


def test_a_person_taking_over_a_waiting_conversation_is_not_a_new_handoff(acme, hooks, receiver, captured):
    operator = member(acme, "operator")
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["handoff.opened"])
        conversation = ConversationFactory(contact=ContactFactory(name="Ana Paula Ferreira"))
        with captured():
            conversation_handoff(conversation=conversation, reason="Cliente pediu um atendente")
            conversation_handoff(conversation=conversation, reason="Assumida pela equipe", actor=operator)
        [delivery] = deliveries(endpoint)

    [got] = receiver.received("/ok")
    assert got.payload["data"]["reason"] == "Cliente pediu um atendente" and got.payload["data"]["taken_by"] is None
    assert delivery.status == "delivered"
