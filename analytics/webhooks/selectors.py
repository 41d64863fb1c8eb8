"""Reads of outgoing webhooks: endpoints, their delivery log, and the rows an event's payload is made of.

The payload readers run in the company's schema when the delivery is created, so a CRM gets the
names and times as they were when it happened (a later rename does not rewrite the past).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from agenda.models import Appointment, FollowUp
from agenda.reports import company_tz
from analytics.webhooks.models import WebhookDelivery, WebhookEndpoint
from conversations.models import Contact


def endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.order_by("id")


def endpoint_get(*, endpoint_id: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(pk=endpoint_id).first()


def endpoints_for(*, event_type: str) -> list[WebhookEndpoint]:
    """The enabled endpoints subscribed to `event_type` (jsonb containment: `events @> '["x"]'`)."""
    return list(WebhookEndpoint.objects.filter(enabled=True, events__contains=[event_type]).order_by("id"))


def delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")


# --- payload pieces ------------------------------------------------------------------------------

def local_iso(moment: datetime | None) -> str | None:
    """RFC 3339 with the company's offset: "2026-03-02T10:00:00-03:00"."""
    return moment.astimezone(company_tz()).isoformat(timespec="seconds") if moment else None


def contact_data(contact: Contact) -> dict:
    """Name and phone in E.164 ("+5511912345678"); both null once the contact's data was erased (LGPD)."""
    erased = contact.erased_at is not None
    phone = contact.phone if contact.phone.isdigit() and not erased else None
    return {"id": contact.pk, "name": (contact.name or None) if not erased else None,
            "phone": f"+{phone}" if phone else None}


def _named(row) -> dict | None:
    return {"id": row.pk, "name": row.name} if row is not None else None


def appointment_data(*, appointment_id: int) -> dict | None:
    """{"appointment": {...}, "contact": {...}} for the appointment events; None if the row is gone."""
    appointment = (Appointment.objects.select_related("service", "professional", "contact")
                   .filter(pk=appointment_id).first())
    if appointment is None:
        return None
    return {
        "appointment": {
            "id": appointment.pk,
            "status": appointment.status,
            "start": local_iso(appointment.start),
            "end": local_iso(appointment.end),
            "source": appointment.source,
            "service": _named(appointment.service),
            "professional": _named(appointment.professional),
        },
        "contact": contact_data(appointment.contact),
    }


def appointment_start(*, appointment_id: int) -> tuple[str | None, str | None]:
    """(start, end) of an appointment as local ISO strings, (None, None) if it is gone."""
    row = Appointment.objects.filter(pk=appointment_id).values("start", "end").first()
    return (local_iso(row["start"]), local_iso(row["end"])) if row else (None, None)


def followup_of(*, followup_id: int) -> FollowUp | None:
    return FollowUp.objects.filter(pk=followup_id).first()


def contact_of(*, contact_id: int) -> Contact | None:
    return Contact.objects.filter(pk=contact_id).first()
