"""The event types a company may subscribe to, each mapped from one domain event.

Adding one: a domain event in secretaria/events/catalogue.py, an EventType here (its `data`
reads what a CRM wants, in the company's schema), and its payload serializer in api/payloads.py
(the OpenAPI documentation and the tests hold the two together).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analytics.webhooks import selectors
from secretaria import events
from secretaria.events import DomainEvent

TEST_EVENT = "webhook.test"


@dataclass(frozen=True)
class EventType:
    name: str
    description: str  # pt-BR: the OpenAPI documentation and the admin's checkboxes
    source: type[DomainEvent]
    data: Callable[[DomainEvent], dict | None]  # None: nothing to send (the row is gone, not for hooks)
    # Events published outside the company's schema say which company they are about.
    company_id: Callable[[DomainEvent], int] | None = None


def _appointment(event) -> dict | None:
    return selectors.appointment_data(appointment_id=event.appointment_id)


def _cancelled(event: events.AppointmentCancelled) -> dict | None:
    data = _appointment(event)
    if data is not None:
        data["reason"] = event.reason or None
    return data


def _rescheduled(event: events.AppointmentRescheduled) -> dict | None:
    data = _appointment(event)
    if data is not None:
        start, end = selectors.appointment_start(appointment_id=event.previous_id)
        data["previous_appointment"] = {"id": event.previous_id, "start": start, "end": end}
    return data


def _handoff(event: events.HandoffOpened) -> dict | None:
    if not event.opened:  # a person took over a conversation already waiting for one: nothing new
        return None
    contact = selectors.contact_of(contact_id=event.contact_id)
    if contact is None:
        return None
    return {"conversation_id": event.conversation_id, "reason": event.reason, "taken_by": event.actor or None,
            "contact": selectors.contact_data(contact)}


def _feedback(event: events.FollowUpScored) -> dict | None:
    data = _appointment(event)
    if data is None:
        return None
    followup = selectors.followup_of(followup_id=event.followup_id)
    # The same keys as an ingested score's (analytics/feedback/subscribers.py): one schema for a CRM.
    return {"source": "followup", "followup_id": event.followup_id, "feedback_id": None, "external_id": None,
            "score": event.score, "sentiment": event.sentiment or None,
            "comment": (followup.comment or None) if followup else None, "flagged": event.flagged,
            "given_at": selectors.local_iso(event.occurred_at), **data}


def _quota(event: events.QuotaThresholdCrossed) -> dict:
    return {"kind": event.kind, "threshold": event.threshold, "used": event.used, "limit": event.limit,
            "period": event.period}


def _recommendation(event: events.RecommendationCreated) -> dict:
    return {"recommendation_id": event.recommendation_id, "kind": event.kind, "title": event.title}


EVENT_TYPES: dict[str, EventType] = {t.name: t for t in (
    EventType("booking.created", "Um horário foi agendado (conversa, painel, API, Cal.com ou lista de espera).",
              events.AppointmentBooked, _appointment),
    EventType("booking.cancelled", "Um agendamento foi cancelado.", events.AppointmentCancelled, _cancelled),
    EventType("booking.rescheduled", "Um agendamento foi remarcado (o novo horário e o anterior).",
              events.AppointmentRescheduled, _rescheduled),
    EventType("appointment.attended", "O cliente compareceu.", events.AppointmentAttended, _appointment),
    EventType("appointment.no_show", "O cliente faltou.", events.AppointmentNoShow, _appointment),
    EventType("handoff.opened", "Uma conversa passou para a equipe (atendimento humano).", events.HandoffOpened,
              _handoff),
    EventType("feedback.received", "O cliente avaliou o atendimento (nota e comentário do follow-up).",
              events.FollowUpScored, _feedback),
    EventType("quota.alert", "A empresa usou 80 % ou 100 % de uma cota mensal do plano.",
              events.QuotaThresholdCrossed, _quota, company_id=lambda event: event.company_id),
    EventType("recommendation.created", "Uma nova recomendação para o dono da empresa.",
              events.RecommendationCreated, _recommendation),
)}
BY_SOURCE: dict[type[DomainEvent], EventType] = {t.source: t for t in EVENT_TYPES.values()}


def valid_types_text() -> str:
    return ", ".join(EVENT_TYPES)
