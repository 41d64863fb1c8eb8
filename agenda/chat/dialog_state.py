"""Where the agenda dialog with a contact stands: one frozen dataclass per step.

The chat opens the booking steps; the automations open theirs (a reminder, a follow-up,
a rebooking offer after a no-show, a freed slot offered from the waitlist) and the chat
reads the customer's answer. A `models.Dialog` row stores the step and `to_json()`;
`state_from_json(step, data)` reads it back. The JSON keeps the keys the dict-based code
wrote, so a dialog opened before a deploy is still understood after it (and the other way
round while old and new workers run side by side).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import ClassVar

from agenda.models import Dialog
from agenda.types import Slot, SlotQuery

Step = Dialog.Step


class Purpose(StrEnum):
    """Why slots are offered or a question asked: decides what the customer's "yes" or number does."""

    BOOK = "book"
    RESCHEDULE = "reschedule"  # move `appointment_id` to the chosen slot
    REBOOK = "rebook"  # after a no-show: a new booking (`appointment_id` is the missed one)
    WAITLIST = "waitlist"  # "quer entrar na lista de espera?", or a booking from it
    CANCEL = "cancel"  # only when choosing which appointment


@dataclass(frozen=True)
class SlotQueryData:
    """The customer's wishes of a SlotQuery, kept to search again (a taken slot, another service).

    The service is not here (the step carries it and may change it), nor the limit.
    """

    professional_id: int | None = None
    day: date | None = None
    weekdays: frozenset[int] = field(default_factory=frozenset)
    time_from: time | None = None
    time_to: time | None = None
    exact_time: time | None = None
    not_before: datetime | None = None

    @classmethod
    def of(cls, query: SlotQuery) -> SlotQueryData:
        return cls(professional_id=query.professional_id, day=query.day, weekdays=frozenset(query.weekdays),
                   time_from=query.time_from, time_to=query.time_to, exact_time=query.exact_time,
                   not_before=query.not_before)

    def to_query(self, *, service_id: int | None, limit: int) -> SlotQuery:
        return SlotQuery(service_id=service_id, professional_id=self.professional_id, day=self.day,
                         weekdays=self.weekdays, time_from=self.time_from, time_to=self.time_to,
                         exact_time=self.exact_time, not_before=self.not_before, limit=limit)

    def to_json(self) -> dict:
        return {
            "day": _iso(self.day),
            "weekdays": sorted(self.weekdays),
            "time_from": _iso(self.time_from),
            "time_to": _iso(self.time_to),
            "exact_time": _iso(self.exact_time),
            "not_before": _iso(self.not_before),
            "professional_id": self.professional_id,
        }

    @classmethod
    def from_json(cls, data: dict) -> SlotQueryData:
        return cls(
            professional_id=data.get("professional_id"),
            day=_parsed(date, data.get("day")),
            weekdays=frozenset(data.get("weekdays") or ()),
            time_from=_parsed(time, data.get("time_from")),
            time_to=_parsed(time, data.get("time_to")),
            exact_time=_parsed(time, data.get("exact_time")),
            not_before=_parsed(datetime, data.get("not_before")),
        )


# --- the booking conversation ----------------------------------------------------------------------

@dataclass(frozen=True)
class ChoosingSlot:
    """Slots were offered as a numbered list; or, with `services`, the services to pick one first."""

    step: ClassVar[Step] = Step.CHOOSING_SLOT
    slots: tuple[Slot, ...] = ()
    purpose: Purpose = Purpose.BOOK
    service_id: int | None = None
    query: SlotQueryData | None = None  # None for a no-show's rebooking offer: no wishes were said
    appointment_id: int | None = None  # the one being moved (RESCHEDULE) or the missed one (REBOOK)
    services: tuple[int, ...] = ()

    def confirming(self, slot: Slot) -> Confirming:
        """"Posso confirmar <slot>?" for the same booking."""
        return Confirming(purpose=self.purpose, service_id=self.service_id, query=self.query,
                          appointment_id=self.appointment_id, slot=slot)

    def asking_waitlist(self) -> Confirming:
        """"Quer entrar na lista de espera?", remembering what the customer was doing."""
        return Confirming(purpose=Purpose.WAITLIST, service_id=self.service_id, query=self.query,
                          appointment_id=self.appointment_id, wanted_for=self.purpose)

    def to_json(self) -> dict:
        data = {"slots": [s.key() for s in self.slots], "purpose": str(self.purpose), "service_id": self.service_id}
        if self.services:
            data["services"] = list(self.services)
        return _with_optional(data, self.query, self.appointment_id)

    @classmethod
    def from_json(cls, data: dict) -> ChoosingSlot:
        return cls(slots=_slots(data.get("slots")), purpose=Purpose(data.get("purpose") or Purpose.BOOK),
                   service_id=data.get("service_id"), query=_query(data.get("query")),
                   appointment_id=data.get("appointment_id"), services=tuple(data.get("services") or ()))


@dataclass(frozen=True)
class Confirming:
    """A yes/no question: "posso confirmar <slot>?", or with purpose WAITLIST "quer entrar na lista de espera?"."""

    step: ClassVar[Step] = Step.CONFIRMING
    purpose: Purpose = Purpose.BOOK
    service_id: int | None = None
    query: SlotQueryData | None = None
    appointment_id: int | None = None
    slot: Slot | None = None  # the slot to confirm; None when asking about the waitlist
    wanted_for: Purpose | None = None  # WAITLIST: what the customer was doing (book, reschedule...)

    def to_json(self) -> dict:
        data = {"purpose": str(self.purpose), "service_id": self.service_id}
        if self.slot is not None:
            data["slot"] = self.slot.key()
        if self.wanted_for is not None:
            data["for"] = str(self.wanted_for)
        return _with_optional(data, self.query, self.appointment_id)

    @classmethod
    def from_json(cls, data: dict) -> Confirming:
        wanted_for = data.get("for")
        return cls(purpose=Purpose(data.get("purpose") or Purpose.BOOK), service_id=data.get("service_id"),
                   query=_query(data.get("query")), appointment_id=data.get("appointment_id"),
                   slot=Slot.from_key(data["slot"]) if data.get("slot") else None,
                   wanted_for=Purpose(wanted_for) if wanted_for else None)


@dataclass(frozen=True)
class ChoosingAppointment:
    """The customer has several appointments: which one to move or cancel."""

    step: ClassVar[Step] = Step.CHOOSING_APPOINTMENT
    appointment_ids: tuple[int, ...]
    purpose: Purpose  # RESCHEDULE or CANCEL

    def to_json(self) -> dict:
        return {"appointment_ids": list(self.appointment_ids), "purpose": str(self.purpose)}

    @classmethod
    def from_json(cls, data: dict) -> ChoosingAppointment:
        return cls(appointment_ids=tuple(data.get("appointment_ids") or ()),
                   purpose=Purpose(data.get("purpose") or Purpose.RESCHEDULE))


@dataclass(frozen=True)
class ConfirmingCancel:
    """"Confirma o cancelamento?"."""

    step: ClassVar[Step] = Step.CONFIRMING_CANCEL
    appointment_id: int

    def to_json(self) -> dict:
        return {"appointment_id": self.appointment_id}

    @classmethod
    def from_json(cls, data: dict) -> ConfirmingCancel:
        return cls(appointment_id=data["appointment_id"])


# --- answers to the automations --------------------------------------------------------------------

@dataclass(frozen=True)
class ReminderAnswer:
    """A reminder was sent: "1/2/3" (or words) answers it. Opened by services/reminders.py."""

    step: ClassVar[Step] = Step.REMINDER
    appointment_id: int
    reminder_id: int

    def to_json(self) -> dict:
        return {"appointment_id": self.appointment_id, "reminder_id": self.reminder_id}

    @classmethod
    def from_json(cls, data: dict) -> ReminderAnswer:
        return cls(appointment_id=data["appointment_id"], reminder_id=data["reminder_id"])


@dataclass(frozen=True)
class FollowUpAnswer:
    """"Como foi?" was sent: the next message is feedback. Opened by services/followups.py."""

    step: ClassVar[Step] = Step.FOLLOWUP
    followup_id: int

    def to_json(self) -> dict:
        return {"followup_id": self.followup_id}

    @classmethod
    def from_json(cls, data: dict) -> FollowUpAnswer:
        return cls(followup_id=data["followup_id"])


@dataclass(frozen=True)
class RebookOffer:
    """New slots offered after a no-show (services/noshows.py); answered like a slot list."""

    step: ClassVar[Step] = Step.REBOOK_OFFER
    appointment_id: int  # the missed one
    slots: tuple[Slot, ...]
    service_id: int | None

    def choosing(self) -> ChoosingSlot:
        """The offer as the chat reads it: a slot list whose choice books anew."""
        return ChoosingSlot(slots=self.slots, purpose=Purpose.REBOOK, service_id=self.service_id,
                            appointment_id=self.appointment_id)

    def to_json(self) -> dict:
        return {"appointment_id": self.appointment_id, "slots": [s.key() for s in self.slots],
                "service_id": self.service_id}

    @classmethod
    def from_json(cls, data: dict) -> RebookOffer:
        return cls(appointment_id=data["appointment_id"], slots=_slots(data.get("slots")),
                   service_id=data.get("service_id"))


@dataclass(frozen=True)
class WaitlistOffer:
    """A freed slot offered to a waiting customer (services/waitlist.py): the first "sim" books it."""

    step: ClassVar[Step] = Step.WAITLIST_OFFER
    entry_id: int
    slot: Slot

    def to_json(self) -> dict:
        return {"entry_id": self.entry_id, "slot": self.slot.key()}

    @classmethod
    def from_json(cls, data: dict) -> WaitlistOffer:
        return cls(entry_id=data["entry_id"], slot=Slot.from_key(data["slot"]))


DialogState = (ChoosingSlot | Confirming | ChoosingAppointment | ConfirmingCancel | ReminderAnswer | FollowUpAnswer
               | RebookOffer | WaitlistOffer)
_BY_STEP: dict[str, type[DialogState]] = {cls.step.value: cls for cls in (
    ChoosingSlot, Confirming, ChoosingAppointment, ConfirmingCancel, ReminderAnswer, FollowUpAnswer, RebookOffer,
    WaitlistOffer)}


def state_from_json(step: str, data: dict | None) -> DialogState:
    """The state a Dialog row holds. Raises KeyError or ValueError for a row no version of the code wrote."""
    return _BY_STEP[str(step)].from_json(data or {})


# --- JSON helpers ------------------------------------------------------------------------------------

def _with_optional(data: dict, query: SlotQueryData | None, appointment_id: int | None) -> dict:
    """The keys the old code wrote only when it had them: absent, not null, so old readers see the same."""
    if query is not None:
        data["query"] = query.to_json()
    if appointment_id is not None:
        data["appointment_id"] = appointment_id
    return data


def _slots(keys: list[str] | None) -> tuple[Slot, ...]:
    return tuple(Slot.from_key(key) for key in keys or ())


def _query(data: dict | None) -> SlotQueryData | None:
    return SlotQueryData.from_json(data) if data is not None else None


def _iso(value: date | time | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parsed(kind: type[date] | type[time] | type[datetime], text: str | None):
    return kind.fromisoformat(text) if text else None
