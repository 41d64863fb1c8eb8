"""Follow-ups on a frozen clock: asked once after an attended visit; answers read as feedback,
negative ones flagged for the staff."""

from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from agenda.chat.dialog_state import FollowUpAnswer
from agenda.models import Appointment, AppointmentEvent, FollowUp
from agenda.services.booking import appointment_mark_attended, appointment_mark_no_show
from agenda.services.dialogs import dialog_current
from agenda.services.followups import (
    feedback_score,
    followup_answer_record,
    followup_send,
    followups_due_enqueue,
)
from compliance.models import AuditEvent
from conversations.models import Conversation
from conversations.outreach.services import STUCK_AFTER
from tests.agenda.automation_helpers import STAFF, at, book, calendar_make, contact_make, outbox_keys, outbox_text

pytest_plugins = ["tests.agenda.automation_fixtures"]  # in_acme, clock (eager: tests/conftest.py)

pytestmark = pytest.mark.usefixtures("eager")


@pytest.fixture
def attended(in_acme, clock):
    """Maria came to her 10:00-10:30 Consulta with Ana; the staff marked it at 10:45."""
    professional, service = calendar_make()
    appointment = book(contact_make(), at(2, 10), professional, service)
    clock(at(2, 10, 45))
    return appointment_mark_attended(appointment=appointment, actor=STAFF)


def followup_of(appointment: Appointment) -> FollowUp:
    return FollowUp.objects.get(appointment=appointment)


def test_an_attended_visit_is_followed_up_two_hours_after_its_end(attended, clock):
    followup = followup_of(attended)
    assert (followup.state, followup.due_at) == ("pending", at(2, 12, 30))

    clock(at(2, 12, 29))
    assert followups_due_enqueue() == 0
    clock(at(2, 12, 30))
    assert followups_due_enqueue() == 1

    followup.refresh_from_db()
    assert followup.state == "sent" and followup.sent_at == at(2, 12, 30)
    assert outbox_keys("followup:") == [f"followup:{followup.pk}"]
    assert outbox_text(f"followup:{followup.pk}") == (
        "Olá, Maria! Como foi o seu Consulta com Ana? Sua opinião nos ajuda muito: responda com uma nota de "
        "0 a 10 e, se quiser, conte como foi.")
    assert AppointmentEvent.objects.filter(appointment=attended, kind="followup_sent").count() == 1
    assert dialog_current(contact=attended.contact).state == FollowUpAnswer(followup_id=followup.pk)


def test_a_follow_up_is_sent_once(attended, clock):
    clock(at(2, 13))
    followups_due_enqueue()
    followup = followup_of(attended)

    for minutes in (1, 3, 10):
        clock(at(2, 13) + timedelta(minutes=minutes))
        assert followups_due_enqueue() == 0
    assert followup_send(followup_id=followup.pk) == "skipped"
    assert outbox_keys("followup:") == [f"followup:{followup.pk}"]


def test_no_follow_up_after_attendance_is_corrected_to_a_no_show(attended, clock):
    appointment_mark_no_show(appointment=attended, actor=STAFF)
    clock(at(2, 13))

    assert followups_due_enqueue() == 0
    assert followup_of(attended).state == "cancelled"
    assert outbox_keys("followup:") == []


def test_a_follow_up_enqueued_before_the_correction_is_dropped_at_send_time(attended, clock):
    Appointment.objects.filter(pk=attended.pk).update(status="no_show")
    clock(at(2, 13))

    assert followup_send(followup_id=followup_of(attended).pk) == "cancelled"
    assert outbox_keys("followup:") == []


def test_a_follow_up_days_late_is_dropped(attended, clock):
    clock(at(5, 9))  # workers were down for days

    assert followups_due_enqueue() == 0
    assert followup_of(attended).state == "cancelled"


def test_a_follow_up_left_sending_by_a_killed_worker_goes_out_later(attended, clock):
    followup = followup_of(attended)
    clock(at(2, 12, 30))
    FollowUp.objects.filter(pk=followup.pk).update(state="sending", claimed_at=at(2, 12, 30))

    assert followups_due_enqueue() == 0
    clock(at(2, 12, 30) + STUCK_AFTER + timedelta(minutes=1))
    assert followups_due_enqueue() == 1
    assert outbox_keys("followup:") == [f"followup:{followup.pk}"]


@pytest.mark.parametrize(("text", "score"), [
    ("10", 10), ("Nota 9, adorei!", 9), ("dou 7", 7), ("nota dez", 10), ("9/10", 9), ("8 de 10", 8),
    ("10! Atendimento excelente", 10), ("Daria um 6", 6), ("nota: 4", 4),
    ("Cheguei às 10h e fui atendida na hora", None), ("esperei 2 horas", None),
    ("10:30 ainda não tinha sido atendida", None),
    ("Foi ótimo, obrigada", None), ("", None),
])
def test_the_score_is_read_only_where_it_reads_like_one(text, score):
    assert feedback_score(text) == score


@pytest.mark.parametrize(("text", "sentiment", "score", "flagged", "comment"), [
    ("10", "positive", 10, False, ""),
    ("Nota 9, adorei o atendimento!", "positive", 9, False, "Nota 9, adorei o atendimento!"),
    ("Foi ótimo, a Ana é muito atenciosa", "positive", None, False, "Foi ótimo, a Ana é muito atenciosa"),
    ("nada a reclamar", "positive", None, False, "nada a reclamar"),
    ("dou 7", "neutral", 7, False, "dou 7"),
    ("8, foi tudo bom", "positive", 8, False, "8, foi tudo bom"),
    ("Voltei pra casa", "neutral", None, False, "Voltei pra casa"),
    ("nota 3, esperei 40 minutos", "negative", 3, True, "nota 3, esperei 40 minutos"),
    ("Péssimo, a recepcionista foi grosseira", "negative", None, True, "Péssimo, a recepcionista foi grosseira"),
    ("não gostei", "negative", None, True, "não gostei"),
])
def test_answers_are_recorded_as_feedback(attended, clock, text, sentiment, score, flagged, comment):
    clock(at(2, 13))
    followups_due_enqueue()
    clock(at(2, 13, 20))

    followup = followup_answer_record(followup=followup_of(attended), text=text)

    assert (followup.sentiment, followup.score, followup.flagged, followup.comment) == (
        sentiment, score, flagged, comment)
    assert followup.state == "answered" and followup.answered_at == at(2, 13, 20)


def _count(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0


def test_a_negative_answer_is_flagged_audited_and_counted_but_not_handed_off(attended, clock,
                                                                              django_capture_on_commit_callbacks):
    clock(at(2, 13))
    followups_due_enqueue()
    negative, positive = _count("appointment_followups_negative_total"), _count("appointment_followups_positive_total")

    with django_capture_on_commit_callbacks(execute=True):
        followup = followup_answer_record(followup=followup_of(attended), text="Horrível, nunca mais volto")

    assert followup.flagged and followup.sentiment == "negative"
    audit = AuditEvent.objects.get(action="agenda.followup_negative")
    assert audit.target == f"followup:{followup.pk}" and audit.data == {"appointment_id": attended.pk, "score": None}
    assert _count("appointment_followups_negative_total") == negative + 1
    assert _count("appointment_followups_positive_total") == positive
    assert not Conversation.objects.filter(contact=attended.contact, status="handoff").exists()


def test_a_positive_answer_is_counted(attended, clock, django_capture_on_commit_callbacks):
    clock(at(2, 13))
    followups_due_enqueue()
    positive = _count("appointment_followups_positive_total")

    with django_capture_on_commit_callbacks(execute=True):
        followup_answer_record(followup=followup_of(attended), text="nota 10")

    assert _count("appointment_followups_positive_total") == positive + 1
    assert not AuditEvent.objects.filter(action="agenda.followup_negative").exists()


def test_a_second_message_adds_to_the_answer(attended, clock):
    clock(at(2, 13))
    followups_due_enqueue()
    followup_answer_record(followup=followup_of(attended), text="nota 9")

    followup = followup_answer_record(followup=followup_of(attended), text="a Ana foi muito atenciosa")

    assert (followup.score, followup.sentiment, followup.comment) == (9, "positive", "a Ana foi muito atenciosa")
