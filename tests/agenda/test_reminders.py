"""Reminders on a frozen clock: planned, sent once when due, never for a cancelled or moved
appointment, and exactly once across two beats and a beat restart (docs/reliability.md R8)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from agenda.chat.dialog_state import ReminderAnswer
from agenda.models import Appointment, AppointmentEvent, Dialog, Reminder
from agenda.services.booking import appointment_cancel, appointment_reschedule
from agenda.services.config import calendar_config, calendar_config_forget
from agenda.services.dialogs import dialog_current
from agenda.services.reminders import (
    reminder_send,
    reminder_send_now,
    reminders_due_enqueue,
    reminders_plan,
)
from agenda.types import AgendaError, Slot
from conversations.models import Contact, Conversation, Message, Outbox
from conversations.outreach.services import LEASE, STUCK_AFTER, due_rows_lease
from tests.agenda.automation_helpers import STAFF, at, book, calendar_make, contact_make, outbox_keys, outbox_text

pytest_plugins = ["tests.agenda.automation_fixtures"]  # in_acme, clock, eager

pytestmark = pytest.mark.usefixtures("eager")


@pytest.fixture
def visit(in_acme, clock):
    """Maria's Consulta with Ana on Wednesday 4 March at 10:00, booked on Monday at 09:00."""
    professional, service = calendar_make()
    return book(contact_make(), at(4, 10), professional, service)


def reminders(appointment: Appointment) -> list[Reminder]:
    return list(Reminder.objects.filter(appointment=appointment).order_by("due_at"))


def test_a_booking_plans_reminders_24h_and_1h_before(visit):
    planned = reminders(visit)

    assert [(r.kind, r.offset_minutes, r.due_at, r.state) for r in planned] == [
        ("scheduled", 24 * 60, at(3, 10), "pending"), ("scheduled", 60, at(4, 9), "pending")]


def test_the_companys_offsets_are_used(in_acme, clock):
    config = calendar_config()
    config.reminder_offsets_minutes = [48 * 60, 120]
    config.save()
    calendar_config_forget()
    professional, service = calendar_make()

    appointment = book(contact_make(), at(5, 15), professional, service)

    assert [r.due_at for r in reminders(appointment)] == [at(3, 15), at(5, 13)]


def test_nothing_is_sent_before_it_is_due(visit, clock):
    clock(at(3, 9, 59))

    assert reminders_due_enqueue() == 0
    assert outbox_keys("reminder:") == []


def test_a_due_reminder_is_sent_once_with_the_answer_options(visit, clock):
    first, second = reminders(visit)
    clock(at(3, 10))

    assert reminders_due_enqueue() == 1

    first.refresh_from_db()
    assert first.state == "sent" and first.sent_at == at(3, 10) and first.outbox is not None
    assert outbox_keys("reminder:") == [f"reminder:{first.pk}"]
    text = outbox_text(f"reminder:{first.pk}")
    assert text == ("Olá, Maria! Passando para lembrar do seu horário: Consulta com Ana, amanhã (quarta-feira, "
                    "04/03), às 10:00.\nResponda 1 para confirmar, 2 para remarcar ou 3 para cancelar.")
    assert Reminder.objects.get(pk=second.pk).state == "pending"
    event = AppointmentEvent.objects.get(appointment=visit, kind="reminder_sent")
    assert event.data == {"reminder_id": first.pk, "kind": "scheduled"} and event.actor == "system"
    assert dialog_current(contact=visit.contact).state == ReminderAnswer(appointment_id=visit.pk,
                                                                           reminder_id=first.pk)
    # "1/2/3" means this appointment until it starts
    assert Dialog.objects.get(contact=visit.contact).expires_at == at(4, 10)

    # Later scans, and the same task delivered again, send nothing more.
    for minutes in (1, 3, 10):
        clock(at(3, 10) + timedelta(minutes=minutes))
        assert reminders_due_enqueue() == 0
    assert reminder_send(reminder_id=first.pk) == "skipped"
    assert Outbox.objects.filter(message__contact=visit.contact).count() == 1


def test_a_reminder_missed_while_beat_was_down_is_folded_into_the_next_one(visit, clock):
    day_before, hour_before = reminders(visit)
    clock(at(4, 9))

    reminders_due_enqueue()  # both are due: one message with the nearer time, not two in a row

    assert outbox_keys("reminder:") == [f"reminder:{hour_before.pk}"]
    assert outbox_text(f"reminder:{hour_before.pk}").startswith(
        "Olá, Maria! Passando para lembrar do seu horário: Consulta com Ana, hoje, às 10:00.")
    assert Reminder.objects.get(pk=day_before.pk).state == "cancelled"


def test_reminders_are_not_sent_once_the_appointment_has_started(visit, clock):
    clock(at(4, 10, 5))  # beat was down for the whole day

    assert reminders_due_enqueue() == 0
    assert {r.state for r in reminders(visit)} == {"failed"}
    assert outbox_keys("reminder:") == []


def test_a_cancelled_appointment_gets_no_reminder(visit, clock):
    appointment_cancel(appointment=visit, reason="imprevisto", actor="customer")
    clock(at(4, 9, 30))

    assert reminders_due_enqueue() == 0
    assert {r.state for r in reminders(visit)} == {"cancelled"}
    assert outbox_keys("reminder:") == []


def test_a_reminder_already_enqueued_when_the_appointment_is_cancelled_is_not_sent(visit, clock):
    """A writer that changed the status without the lifecycle (or raced the scan) is caught at send time."""
    first = reminders(visit)[0]
    Appointment.objects.filter(pk=visit.pk).update(status="cancelled")
    clock(at(3, 10))

    assert reminder_send(reminder_id=first.pk) == "cancelled"
    assert Reminder.objects.get(pk=first.pk).state == "cancelled"
    assert outbox_keys("reminder:") == []


def test_a_moved_appointment_is_reminded_at_its_new_time_only(visit, clock):
    old = reminders(visit)
    new = appointment_reschedule(appointment=visit, slot=Slot(at(5, 15), at(5, 15, 30), visit.service_id,
                                                              visit.professional_id), actor="customer")

    assert {r.state for r in Reminder.objects.filter(pk__in=[r.pk for r in old])} == {"cancelled"}
    assert [r.due_at for r in reminders(new)] == [at(4, 15), at(5, 14)]

    sent = []
    for when in (at(3, 10), at(4, 9), at(4, 15), at(5, 14)):  # the old times, then the new ones
        clock(when)
        reminders_due_enqueue()
        sent.append(len(outbox_keys("reminder:")))
    assert sent == [0, 0, 1, 2]
    assert outbox_keys("reminder:") == sorted(f"reminder:{r.pk}" for r in reminders(new))
    assert "sexta-feira" not in outbox_text(f"reminder:{reminders(new)[1].pk}")  # "hoje, às 15:00"


def test_an_appointment_moved_in_place_is_not_reminded_of_its_old_time(visit, clock):
    first = reminders(visit)[0]
    Appointment.objects.filter(pk=visit.pk).update(start=at(6, 10), end=at(6, 10, 30))
    clock(at(3, 10))

    assert reminder_send(reminder_id=first.pk) == "cancelled"
    assert outbox_keys("reminder:") == []


def test_the_staff_can_send_a_reminder_now(visit, clock):
    clock(at(2, 14))

    reminder = reminder_send_now(appointment=visit, actor=STAFF)

    assert reminder.kind == "manual" and reminder.state == "sent" and reminder.sent_at == at(2, 14)
    assert outbox_keys("reminder:") == [f"reminder:{reminder.pk}"]
    assert "quarta-feira, 04/03, às 10:00" in outbox_text(f"reminder:{reminder.pk}")
    assert AppointmentEvent.objects.get(appointment=visit, kind="reminder_sent").actor == STAFF
    # The scheduled ones still go out at their time.
    assert {r.state for r in reminders(visit) if r.kind == "scheduled"} == {"pending"}


def test_send_now_refuses_a_cancelled_appointment(visit):
    appointment_cancel(appointment=visit, actor=STAFF)

    with pytest.raises(AgendaError):
        reminder_send_now(appointment=visit, actor=STAFF)
    assert outbox_keys("reminder:") == []


def test_planning_twice_is_a_no_op(visit):
    assert [r.pk for r in reminders_plan(appointment=visit)] == [r.pk for r in reminders(visit)]
    assert Reminder.objects.filter(appointment=visit).count() == 2


def test_a_scan_leases_what_it_enqueues(visit, clock):
    """A backlog the workers have not reached yet is not enqueued again every minute."""
    clock(at(4, 9, 30))

    first = due_rows_lease(model=Reminder, now=at(4, 9, 30))
    assert len(first) == 2
    assert due_rows_lease(model=Reminder, now=at(4, 9, 31)) == []
    assert due_rows_lease(model=Reminder, now=at(4, 9, 30) + LEASE + timedelta(seconds=1)) == first


def test_a_reminder_left_sending_by_a_killed_worker_is_sent_by_a_later_scan(visit, clock):
    first = reminders(visit)[0]
    clock(at(3, 10))
    Reminder.objects.filter(pk=first.pk).update(state="sending", claimed_at=at(3, 10))  # claimed, then killed

    assert reminders_due_enqueue() == 0  # it may still be working
    clock(at(3, 10) + STUCK_AFTER + timedelta(minutes=1))
    assert reminders_due_enqueue() == 1
    assert Reminder.objects.get(pk=first.pk).state == "sent"
    assert outbox_keys("reminder:") == [f"reminder:{first.pk}"]


# --- R8: two beats, and a beat restart, across reminder times ---------------------------------------

R8_SLUG = "r8beat"


@pytest.fixture
def r8_company(django_db_setup, django_db_blocker):
    """A company of its own, committed: threads with their own connections must see its rows.

    (Not `transaction=True`: its flush would empty the public schema, where the session's
    companies live.) Its agenda is wiped before and after the test.
    """
    from tenants.models import Company
    from tests.factories import CompanyFactory

    with django_db_blocker.unblock():
        company = Company.objects.filter(slug=R8_SLUG).first() or CompanyFactory(name="R8", slug=R8_SLUG)
        _wipe(company.schema_name)
        try:
            yield company
        finally:
            _wipe(company.schema_name)
            connection.set_schema_to_public()


def _wipe(schema: str) -> None:
    with schema_context(schema):
        Dialog.objects.all().delete()
        Appointment.objects.all().delete()
        Outbox.objects.all().delete()
        Message.objects.all().delete()
        Conversation.objects.all().delete()
        Contact.objects.all().delete()


def _two_beats(schema: str, action) -> list:
    """Run `action` in two threads, each with its own database connection, released together."""
    barrier = threading.Barrier(2)

    def beat(_):
        try:
            barrier.wait()
            with schema_context(schema):
                return action()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(beat, range(2)))


def test_r8_two_beats_and_a_beat_restart_send_each_reminder_exactly_once(r8_company, django_db_blocker, clock):
    schema = r8_company.schema_name
    start = at(3, 8)  # Tuesday: 24 h reminders from Monday 08:00, 1 h reminders from Tuesday 07:00
    clock(at(2, 6))
    with django_db_blocker.unblock():
        with schema_context(schema):
            calendar_config_forget()
            visits = [Appointment.objects.create(contact=contact_make(f"55119000{i:05d}", f"Cliente {i}"),
                                                 start=start + timedelta(minutes=7 * i),
                                                 end=start + timedelta(minutes=7 * i + 30)) for i in range(30)]
            for visit in visits:
                reminders_plan(appointment=visit)
            all_ids = set(Reminder.objects.values_list("pk", flat=True))
            assert len(all_ids) == 60

        crash_at = at(2, 9)
        # Every 15 minutes around the 24 h reminders (Monday) and the 1 h ones (Tuesday).
        moments = ([at(2, 7) + timedelta(minutes=15 * k) for k in range(23)]
                   + [at(3, 6, 45) + timedelta(minutes=15 * k) for k in range(22)])
        for moment in moments:
            clock(moment)
            if moment == crash_at:
                with schema_context(schema):
                    # A worker claimed one due reminder and was killed; a beat leased two more and was
                    # killed before publishing them.
                    stuck = Reminder.objects.filter(state="pending", due_at__lte=moment).order_by("due_at").first()
                    Reminder.objects.filter(pk=stuck.pk).update(state="sending", claimed_at=moment)
                    due_rows_lease(model=Reminder, now=moment)
            _two_beats(schema, reminders_due_enqueue)
            if moment == at(2, 9, 30):  # and every send task delivered twice (acks_late redelivery)
                _two_beats(schema, lambda: [reminder_send(reminder_id=pk) for pk in sorted(all_ids)])

        with schema_context(schema):
            keys = list(Outbox.objects.filter(idempotency_key__startswith="reminder:")
                        .values_list("idempotency_key", flat=True))
            assert sorted(keys) == sorted(f"reminder:{pk}" for pk in all_ids)  # none missed, none twice
            assert Message.objects.filter(direction="out").count() == 60
            assert AppointmentEvent.objects.filter(kind="reminder_sent").count() == 60
            assert set(Reminder.objects.values_list("state", flat=True)) == {"sent"}
            late = [r.pk for r in Reminder.objects.select_related("appointment")
                    if r.sent_at >= r.appointment.start]
            assert late == []


def test_a_reminder_sent_late_observes_its_lag(visit, clock, django_capture_on_commit_callbacks):
    """secretaria_reminder_lag_seconds: from the due time to the hand-over (docs/alerts.md)."""
    from prometheus_client import REGISTRY

    first, _second = reminders(visit)
    before = REGISTRY.get_sample_value("secretaria_reminder_lag_seconds_sum") or 0.0
    clock(first.due_at + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_due_enqueue() == 1
    assert REGISTRY.get_sample_value("secretaria_reminder_lag_seconds_sum") - before == 300
