"""One known day at acme's demo clinic, driven through the real services: Wednesday 4 March 2026 in São Paulo.

Before the day (Monday 2 March) the staff book the appointments the day will see, Carlos writes once, and
Gabi comes to an appointment on Tuesday. On the day:

- 09:00 Paula (new) asks for a skin cleaning, typed 30 s before the reply; slots are offered; she picks "1";
- 10:00 Carlos (returning) says good morning, typed 20 s before; handed to the staff at 10:02, answered 10:07;
- Ana (09:00) and Carla (14:00) come, Bruno (10:00) does not; Davi's appointment is cancelled, Elisa's moved;
- the staff book Hugo in the panel and Iris comes through the API;
- 12:00 a reminder goes to Fabio, who answers "1" (typed 5 s before) and confirms;
- one AI call of 2M prompt + 1M completion tokens on gpt-4o-mini;
- follow-ups answered 10 (Ana), 6 (Carla) and 9 (Gabi, from Tuesday).

`EXPECTED` is every figure of that day, worked out by hand from the above.
"""

from dataclasses import dataclass
from datetime import timedelta

from agenda.models import Appointment, FollowUp
from agenda.services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_mark_attended,
    appointment_mark_no_show,
    appointment_reschedule,
)
from agenda.services.followups import followup_answer_record
from agenda.services.reminders import reminder_send_now
from agenda.types import Slot
from conversations.core.handoff import conversation_handoff, staff_reply
from conversations.models import Contact, Conversation, LLMCall
from tests.analytics.reports.conftest import Customer, sp
from tests.conftest import member
from tests.conversations.factories import ContactFactory

STAFF = "owner@acme.test"
DAY = sp(4, 0).date()

EXPECTED = {
    "messages_in": 4,  # Paula 2, Carlos 1, Fabio 1
    "messages_out": 6,  # Paula's 2 replies, Carlos' reply and the staff's, the reminder, Fabio's reply
    "conversations_opened": 3,
    "contacts_unique": 3,
    "contacts_new": 2,  # Paula and Fabio; Carlos wrote on Monday
    "contacts_returning": 1,
    "first_reply_p50_s": 20.0,  # 5, 20, 30 seconds
    "first_reply_p90_s": 28.0,  # 20 + (30 - 20) x 0.8
    "handoffs": 1,
    "handoff_rate": 0.3333,
    "staff_response_p50_s": 300.0,
    "bookings": 3,
    "bookings_chat": 1,
    "bookings_panel": 1,
    "bookings_api": 1,
    "bookings_calcom": 0,
    "bookings_waitlist": 0,
    "reschedules": 1,
    "cancellations": 1,
    "attendances": 2,
    "no_shows": 1,
    "no_show_rate": 0.3333,
    "followup_score_avg": 8.33,
    "nps": 33.3,  # 2 promoters (10, 9) - 1 detractor (6), over 3
    "ai_tokens": 3_000_000,
    "ai_cost_cents": 450,  # (2M x 0.15 + 1M x 0.60) USD / 1M x R$ 5,00
    "cost_per_booking_cents": 150,
    "quota_messages_ratio": 0.0,  # the cast's plan has no limits
    "quota_ai_tokens_ratio": 0.0,
    "quota_outreach_ratio": 0.0,
    "booking_intents": 1,
    "slots_offered": 1,
    "reminders_sent": 1,
    "reminders_answered": 1,
    "reminders_confirmed": 1,
}


@dataclass
class Day:
    paula: Contact
    fabio_visit: Appointment
    paula_visit: Appointment


def _staff_books(contact: Contact, start, service_id: int, *, source: str = "admin") -> Appointment:
    slot = Slot(start, start + timedelta(minutes=40), service_id)
    return appointment_book(contact=contact, slot=slot, source=source, actor=STAFF)


def known_day(clinic, clock, committed, acme) -> Day:
    """Play the day (inside acme's schema). Each step runs at its time with its commit's callbacks run
    right after it, as a real commit would: the outbox sends then, the subscribers hear then."""

    def at(when, action):
        clock(when)
        with committed():
            return action()

    consulta, limpeza = clinic.service_id("Consulta dermatológica"), clinic.service_id("Limpeza de pele")
    people = {name: ContactFactory(phone=f"55119800000{i:02d}", name=name)
              for i, name in enumerate(["Ana", "Bruno", "Carla", "Davi", "Elisa", "Fabio", "Gabi", "Hugo", "Iris"])}
    carlos, paula = Customer("5511980000099", "Carlos"), Customer("5511980000077", "Paula")
    fabio = Customer(people["Fabio"].phone, "Fabio")

    at(sp(2, 10), lambda: carlos.says("Olá, boa tarde", typed_ago=3))
    visits = at(sp(2, 10, 5), lambda: {
        "ana": _staff_books(people["Ana"], sp(4, 9), consulta),
        "bruno": _staff_books(people["Bruno"], sp(4, 10), consulta),
        "carla": _staff_books(people["Carla"], sp(4, 14), limpeza),
        "davi": _staff_books(people["Davi"], sp(6, 11), consulta),
        "elisa": _staff_books(people["Elisa"], sp(6, 15), consulta),
        "fabio": _staff_books(people["Fabio"], sp(5, 10), limpeza),
        "gabi": _staff_books(people["Gabi"], sp(3, 9), consulta),
    })
    at(sp(3, 10), lambda: appointment_mark_attended(appointment=visits["gabi"], actor=STAFF))

    at(sp(4, 9), lambda: paula.says("Oi, bom dia! Queria marcar uma limpeza de pele", typed_ago=30))
    at(sp(4, 9, 1), lambda: paula.says("1", typed_ago=10))
    at(sp(4, 10), lambda: carlos.says("Bom dia, tudo bem?", typed_ago=20))
    chat = Conversation.objects.exclude(status="closed").get(contact__phone=carlos.phone)
    at(sp(4, 10, 2), lambda: conversation_handoff(conversation=chat, reason="Cliente quer falar com alguém"))
    at(sp(4, 10, 7), lambda: staff_reply(conversation=chat, author=member(acme, "owner"),
                                         text="Olá, Carlos! Rua das Acácias, 120."))
    at(sp(4, 10, 30), lambda: appointment_mark_attended(appointment=visits["ana"], actor=STAFF))
    at(sp(4, 10, 45), lambda: appointment_mark_no_show(appointment=visits["bruno"], actor=STAFF))
    at(sp(4, 11), lambda: appointment_cancel(appointment=visits["davi"], actor=STAFF, reason="Viagem"))
    at(sp(4, 11, 10), lambda: appointment_reschedule(appointment=visits["elisa"], actor=STAFF,
                                                     slot=Slot(sp(6, 16), sp(6, 16, 40), consulta)))
    at(sp(4, 11, 20), lambda: _staff_books(people["Hugo"], sp(9, 9), consulta))
    at(sp(4, 11, 30), lambda: _staff_books(people["Iris"], sp(9, 10), consulta, source="api"))
    at(sp(4, 12), lambda: reminder_send_now(appointment=visits["fabio"], actor=STAFF))
    at(sp(4, 12, 5), lambda: fabio.says("1", typed_ago=5))
    at(sp(4, 13), lambda: LLMCall.objects.create(provider="openai", model="gpt-4o-mini", input_tokens=2_000_000,
                                                 output_tokens=1_000_000, outcome="ok"))
    at(sp(4, 15, 30), lambda: appointment_mark_attended(appointment=visits["carla"], actor=STAFF))
    for visit, answer in (("ana", "10"), ("carla", "6"), ("gabi", "9")):
        at(sp(4, 16), lambda v=visit, a=answer: followup_answer_record(
            followup=FollowUp.objects.get(appointment=visits[v]), text=a))
    paula_visit = Appointment.objects.get(contact__phone=paula.phone)
    visits["fabio"].refresh_from_db()
    return Day(paula=paula_visit.contact, fabio_visit=visits["fabio"], paula_visit=paula_visit)
