"""The agenda dialog's typed state: every step survives the JSON column, and rows written by the
dict-based code (still open at a deploy) are read back into the same dataclasses."""

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.chat.dialog_state import (
    ChoosingAppointment,
    ChoosingSlot,
    Confirming,
    ConfirmingCancel,
    FollowUpAnswer,
    Purpose,
    RebookOffer,
    ReminderAnswer,
    SlotQueryData,
    WaitlistOffer,
    state_from_json,
)
from agenda.models import Dialog
from agenda.services.dialogs import dialog_current, dialog_open
from agenda.types import Slot, SlotQuery
from conversations.models import Contact

TZ = ZoneInfo("America/Sao_Paulo")
START = datetime(2026, 3, 4, 15, tzinfo=TZ)
SLOT = Slot(START, START + timedelta(hours=1), 7, 3)
OTHER = Slot(START + timedelta(hours=1), START + timedelta(hours=2), 7, None)
WISHES = SlotQueryData(professional_id=3, day=date(2026, 3, 4), weekdays=frozenset({2, 4}), time_from=time(13),
                       time_to=time(18), exact_time=time(15), not_before=datetime(2026, 3, 3, 9, tzinfo=TZ))

EVERY_STEP = [
    ChoosingSlot(slots=(SLOT, OTHER), purpose=Purpose.RESCHEDULE, service_id=7, query=WISHES, appointment_id=41),
    ChoosingSlot(services=(7, 8, 9), query=SlotQueryData()),
    Confirming(purpose=Purpose.BOOK, service_id=7, query=WISHES, slot=SLOT),
    Confirming(purpose=Purpose.WAITLIST, service_id=None, query=WISHES, appointment_id=41,
               wanted_for=Purpose.REBOOK),
    ChoosingAppointment(appointment_ids=(41, 42), purpose=Purpose.CANCEL),
    ConfirmingCancel(appointment_id=41),
    ReminderAnswer(appointment_id=41, reminder_id=5),
    FollowUpAnswer(followup_id=9),
    RebookOffer(appointment_id=41, slots=(SLOT, OTHER), service_id=7),
    RebookOffer(appointment_id=41, slots=(), service_id=None),
    WaitlistOffer(entry_id=12, slot=SLOT),
]


@pytest.mark.parametrize("state", EVERY_STEP, ids=lambda s: type(s).__name__)
def test_every_step_round_trips_through_the_json_column(state):
    stored = json.loads(json.dumps(state.to_json()))  # what the JSONField gives back

    assert state_from_json(state.step, stored) == state


def test_every_step_has_its_dataclass():
    assert {type(state).step for state in EVERY_STEP} == set(Dialog.Step)


# Rows as the dict-based code wrote them (agenda/chat/flow.py, answers.py and the automations
# before the dataclasses), and the state each one means.
LEGACY_QUERY = {"day": "2026-03-04", "weekdays": [2, 4], "time_from": "13:00:00", "time_to": "18:00:00",
                "exact_time": "15:00:00", "not_before": "2026-03-03T09:00:00-03:00", "professional_id": 3}
EMPTY_QUERY = {"day": None, "weekdays": [], "time_from": None, "time_to": None, "exact_time": None,
               "not_before": None, "professional_id": None}
LEGACY_ROWS = {
    "offer": ("choosing_slot",
              {"purpose": "book", "service_id": 7, "query": LEGACY_QUERY, "slots": [SLOT.key(), OTHER.key()]},
              ChoosingSlot(slots=(SLOT, OTHER), service_id=7, query=WISHES)),
    "reschedule offer": ("choosing_slot",
                         {"purpose": "reschedule", "service_id": 7, "query": EMPTY_QUERY, "appointment_id": 41,
                          "slots": [SLOT.key()]},
                         ChoosingSlot(slots=(SLOT,), purpose=Purpose.RESCHEDULE, service_id=7,
                                      query=SlotQueryData(), appointment_id=41)),
    "which service": ("choosing_slot",
                      {"slots": [], "services": [7, 8], "purpose": "book", "service_id": None, "query": EMPTY_QUERY},
                      ChoosingSlot(services=(7, 8), query=SlotQueryData())),
    "narrowed rebook offer": ("choosing_slot",
                              {"appointment_id": 41, "slots": [OTHER.key()], "service_id": 7, "purpose": "rebook"},
                              ChoosingSlot(slots=(OTHER,), purpose=Purpose.REBOOK, service_id=7, appointment_id=41)),
    "confirm a slot": ("confirming",
                       {"purpose": "book", "service_id": 7, "query": LEGACY_QUERY, "slot": SLOT.key()},
                       Confirming(purpose=Purpose.BOOK, service_id=7, query=WISHES, slot=SLOT)),
    "no slots: waitlist?": ("confirming",
                            {"purpose": "waitlist", "service_id": 7, "query": LEGACY_QUERY, "appointment_id": 41,
                             "for": "reschedule"},
                            Confirming(purpose=Purpose.WAITLIST, service_id=7, query=WISHES, appointment_id=41,
                                       wanted_for=Purpose.RESCHEDULE)),
    "choose appointment": ("choosing_appointment", {"appointment_ids": [41, 42], "purpose": "reschedule"},
                           ChoosingAppointment(appointment_ids=(41, 42), purpose=Purpose.RESCHEDULE)),
    "confirm cancel": ("confirming_cancel", {"appointment_id": 41}, ConfirmingCancel(appointment_id=41)),
    "reminder": ("reminder", {"appointment_id": 41, "reminder_id": 5},
                 ReminderAnswer(appointment_id=41, reminder_id=5)),
    "followup": ("followup", {"followup_id": 9}, FollowUpAnswer(followup_id=9)),
    "rebook offer": ("rebook_offer", {"appointment_id": 41, "slots": [SLOT.key(), OTHER.key()], "service_id": 7},
                     RebookOffer(appointment_id=41, slots=(SLOT, OTHER), service_id=7)),
    "waitlist offer": ("waitlist_offer", {"entry_id": 12, "slot": SLOT.key()}, WaitlistOffer(entry_id=12, slot=SLOT)),
}


@pytest.mark.parametrize("step, data, state", LEGACY_ROWS.values(), ids=LEGACY_ROWS.keys())
def test_a_row_written_by_the_dict_based_code_is_read_back(step, data, state):
    assert state_from_json(step, data) == state


@pytest.mark.parametrize("step, data, state", LEGACY_ROWS.values(), ids=LEGACY_ROWS.keys())
def test_the_json_written_is_what_the_dict_based_code_wrote(step, data, state):
    """So a worker still on the old code (during a rolling deploy) reads what a new one opened."""
    assert (state.step, state.to_json()) == (step, data)


def test_a_none_fits_question_of_the_old_code_keeps_its_meaning():
    """The old code copied the slot list into the waitlist question ("slots": []); nobody reads it."""
    data = {"purpose": "waitlist", "for": "rebook", "slots": [], "appointment_id": 41, "service_id": 7}

    assert state_from_json("confirming", data) == Confirming(purpose=Purpose.WAITLIST, service_id=7,
                                                             appointment_id=41, wanted_for=Purpose.REBOOK)


def test_the_wishes_go_back_into_a_query_for_any_service():
    query = SlotQuery(service_id=7, professional_id=3, day=date(2026, 3, 4), weekdays=frozenset({2, 4}),
                      time_from=time(13), time_to=time(18), exact_time=time(15),
                      not_before=datetime(2026, 3, 3, 9, tzinfo=TZ), limit=5)

    assert SlotQueryData.of(query) == WISHES
    assert WISHES.to_query(service_id=7, limit=5) == query
    assert WISHES.to_query(service_id=8, limit=3).service_id == 8


def test_a_rebook_offer_is_answered_as_a_slot_list_that_books_anew():
    offer = RebookOffer(appointment_id=41, slots=(SLOT,), service_id=7)

    assert offer.choosing() == ChoosingSlot(slots=(SLOT,), purpose=Purpose.REBOOK, service_id=7, appointment_id=41)


# --- through the Dialog row ---------------------------------------------------------------------------

@pytest.fixture
def contact(acme):
    with schema_context(acme.schema_name):
        yield Contact.objects.create(phone="5511999990009", name="Paula")


def test_an_open_dialog_of_the_old_code_is_read_after_a_deploy(contact):
    step, data, state = LEGACY_ROWS["offer"]
    Dialog.objects.create(contact=contact, step=step, data=data, expires_at=timezone.now() + timedelta(minutes=30))

    current = dialog_current(contact=contact)

    assert current.state == state
    assert current.updated_at == Dialog.objects.get(contact=contact).updated_at


def test_opening_a_step_replaces_the_last_one(contact):
    dialog_open(contact=contact, state=ReminderAnswer(appointment_id=41, reminder_id=5))
    dialog_open(contact=contact, state=FollowUpAnswer(followup_id=9), ttl_minutes=10)

    row = Dialog.objects.get(contact=contact)
    assert (row.step, row.data) == ("followup", {"followup_id": 9})
    assert dialog_current(contact=contact).state == FollowUpAnswer(followup_id=9)


def test_a_row_no_code_wrote_is_no_dialog(contact):
    Dialog.objects.create(contact=contact, step="reminder", data={"appointment": 41},
                          expires_at=timezone.now() + timedelta(minutes=30))

    assert dialog_current(contact=contact) is None


def test_an_expired_dialog_is_no_dialog(contact, time_machine):
    dialog_open(contact=contact, state=FollowUpAnswer(followup_id=9), ttl_minutes=10)
    time_machine.move_to(timezone.now() + timedelta(minutes=11))

    assert dialog_current(contact=contact) is None
