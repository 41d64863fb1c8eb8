"""The funnel of the known day: conversations -> booking intent -> slots offered -> booked -> attended, per service
and per professional, and the reminders' (sent -> answered -> confirmed -> attended)."""

from datetime import date

from agenda.services.booking import appointment_mark_attended
from analytics.reports.models import FunnelMark
from analytics.reports.selectors import report_funnel
from tests.analytics.reports.conftest import sp
from tests.analytics.reports.scenario import DAY, STAFF, known_day


def counts(steps: list[dict]) -> list[tuple[str, int, float | None]]:
    return [(s["key"], s["count"], s["drop"]) for s in steps]


def test_the_funnel_of_the_known_day(clinic, clock, committed, acme):
    day = known_day(clinic, clock, committed, acme)

    funnel = report_funnel(date_from=DAY, date_to=DAY)

    assert (funnel["from"], funnel["to"], funnel["timezone"]) == (DAY, DAY, "America/Sao_Paulo")
    # 3 conversations, Paula's asked to book, was offered slots and booked; her visit is still ahead.
    assert counts(funnel["steps"]) == [("conversations", 3, None), ("booking_intent", 1, 0.6667),
                                       ("slots_offered", 1, 0.0), ("booked", 1, 0.0), ("attended", 0, 1.0)]
    assert [s["label"] for s in funnel["steps"]] == ["Conversas", "Intenção de agendar", "Horários oferecidos",
                                                     "Agendados", "Compareceram"]
    [service] = funnel["by_service"]
    assert (service["id"], service["name"]) == (clinic.service_id("Limpeza de pele"), "Limpeza de pele")
    assert counts(service["steps"]) == [("slots_offered", 1, None), ("booked", 1, 0.0), ("attended", 0, 1.0)]
    [juliana] = funnel["by_professional"]
    assert juliana["name"] == "Juliana (esteticista)" and juliana["id"] == day.paula_visit.professional_id
    assert counts(juliana["steps"]) == [("slots_offered", 1, None), ("booked", 1, 0.0), ("attended", 0, 1.0)]
    assert counts(funnel["reminders"]["steps"]) == [("sent", 1, None), ("answered", 1, 0.0), ("confirmed", 1, 0.0),
                                                    ("attended", 0, 1.0)]


def test_attending_later_completes_the_funnels_of_the_day_they_started(clinic, clock, committed, acme):
    day = known_day(clinic, clock, committed, acme)
    clock(sp(5, 11))
    with committed():
        appointment_mark_attended(appointment=day.fabio_visit, actor=STAFF)
        appointment_mark_attended(appointment=day.paula_visit, actor=STAFF)

    funnel = report_funnel(date_from=DAY, date_to=DAY)

    assert funnel["steps"][-1]["count"] == 1
    assert counts(funnel["reminders"]["steps"])[-1] == ("attended", 1, 0.0)


def test_the_marks_name_the_conversation_the_service_and_who_was_offered(clinic, clock, committed, acme):
    day = known_day(clinic, clock, committed, acme)

    offer = FunnelMark.objects.get(kind="slots_offered")
    intents = FunnelMark.objects.filter(kind="booking_intent")
    answer = FunnelMark.objects.get(kind="reminder_answered")

    # Paula's request and her booking were both answered with the booking intent: two marks, one conversation.
    assert {(m.conversation_id, m.contact_id) for m in intents} == {(offer.conversation_id, day.paula.pk)}
    assert offer.contact_id == day.paula.pk and intents.count() == 2
    assert offer.service_id == clinic.service_id("Limpeza de pele")
    assert offer.professional_ids == [day.paula_visit.professional_id]
    assert (answer.appointment_id, answer.answer) == (day.fabio_visit.pk, "confirm")


def test_an_empty_period_has_zero_steps_and_no_drop(clinic):
    funnel = report_funnel(date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))

    assert counts(funnel["steps"])[:2] == [("conversations", 0, None), ("booking_intent", 0, None)]
    assert funnel["by_service"] == [] and funnel["by_professional"] == []
    assert all(s["count"] == 0 and s["drop"] is None for s in funnel["reminders"]["steps"])
