"""Follow-ups: one message after an attended appointment asking how it went, and its answer.

Sent exactly once by the outreach service (conversations/outreach: leased scans, compare-and-set
claim, outbox key `followup:<id>` committed with `state=sent`). The answer is read here; the chat
(which owns the conversation) calls `followup_answer_record` with the customer's text.
"""

import re
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from agenda.chat.dialog_state import FollowUpAnswer
from agenda.models import Appointment, AppointmentEvent, FollowUp
from agenda.services.config import calendar_config
from agenda.services.dialogs import dialog_open
from agenda.services.reminders import visit_variables
from agenda.texts import outreach_message
from conversations.assistant.engine.sentiment import detect_sentiment
from conversations.outreach.services import Outreach, Skip, due_rows_enqueue, outreach_key, scheduled_send
from secretaria.events import FollowUpScored, publish
from secretaria.observability.metrics import FOLLOWUPS_NEGATIVE, FOLLOWUPS_POSITIVE, FOLLOWUPS_SENT
from secretaria.ptbr import fold

State = FollowUp.State
Sentiment = FollowUp.Sentiment
TOO_LATE = timedelta(days=2)  # "how was your visit?" a week later reads like spam: drop it
ANSWER_TTL_MINUTES = 3 * 24 * 60


def followup_plan(*, appointment: Appointment) -> FollowUp:
    """Plan the follow-up of an attended appointment (idempotent: one per appointment)."""
    due_at = appointment.end + timedelta(minutes=calendar_config().followup_delay_minutes)
    followup, _ = FollowUp.objects.get_or_create(appointment=appointment, defaults={"due_at": due_at})
    return followup


def followup_cancel(*, appointment: Appointment) -> int:
    return FollowUp.objects.filter(appointment=appointment, state=State.PENDING).update(state=State.CANCELLED)


# --- Sending -------------------------------------------------------------------------------------

def followups_due_enqueue(*, now: datetime | None = None) -> int:
    """Every minute, per company: enqueue one `agenda.followup_send` per due follow-up."""
    now = now or timezone.now()
    FollowUp.objects.filter(state=State.PENDING, due_at__lt=now - TOO_LATE).update(state=State.CANCELLED)
    return due_rows_enqueue(model=FollowUp, task="agenda.followup_send", now=now)


def followup_send(*, followup_id: int) -> str:
    """Send one follow-up through the outbox, at most once: "sent", "skipped", "gone" or "cancelled"."""
    return scheduled_send(model=FollowUp, pk=followup_id, compose=_compose, after=_after_send)


def _compose(followup: FollowUp, now: datetime) -> Outreach | Skip:
    appointment = (Appointment.objects.select_related("contact", "service", "professional")
                   .get(pk=followup.appointment_id))
    if appointment.status != Appointment.Status.ATTENDED:  # attendance undone by the staff since
        return Skip("cancelled")
    followup.appointment = appointment
    return outreach_message("followup_question", contact=appointment.contact, kind=FollowUp.OUTREACH_KIND,
                            key=outreach_key(FollowUp, followup.pk), **visit_variables(appointment))


def _after_send(followup: FollowUp, _outbox, _now: datetime) -> None:
    AppointmentEvent.objects.create(appointment=followup.appointment, kind=AppointmentEvent.Kind.FOLLOWUP_SENT,
                                    actor="system", data={"followup_id": followup.pk})
    dialog_open(contact=followup.appointment.contact, state=FollowUpAnswer(followup_id=followup.pk),
                ttl_minutes=ANSWER_TTL_MINUTES)
    transaction.on_commit(lambda: FOLLOWUPS_SENT.inc())


# --- The answer ----------------------------------------------------------------------------------

_NUMBER_WORDS = {"zero": 0, "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5,
                 "seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10}
_NUMBER = r"(10|[0-9]|" + "|".join(_NUMBER_WORDS) + r")"
# A number counts as a score only where it reads like one: "nota 9", "dou 7", "8/10", "9 de 10",
# or a number alone at the start ("10!", "9, adorei") that is not a time or a quantity ("10h", "2 horas").
_SCORE_PATTERNS = [
    re.compile(rf"\b(?:nota|dou|daria|dei|darei|vou dar|avalio|avaliacao)\s*(?:[:=-]\s*)?(?:um |uma |e )?{_NUMBER}\b"),
    re.compile(rf"\b{_NUMBER}\s*(?:/|de)\s*10\b"),
    re.compile(rf"^{_NUMBER}(?![\d:])(?!\s*(?:h\b|hs?\b|horas?|min|minutos?|dias?|vez|vezes|reais|r\$))\b"),
]
# Praise the chat lexicon misreads: as a complaint ("nada a reclamar") or as small talk ("foi tudo bem").
_PRAISE = re.compile(r"\b(?:nada a reclamar|sem reclama\w*|nenhuma reclama\w*|nao tenho do que reclamar|"
                     r"(?:foi|correu|deu) tudo (?:bem|bom|certo|tranquilo))\b")


def feedback_score(text: str) -> int | None:
    """The 0–10 score in a follow-up answer, when the customer gave one."""
    norm = fold(text)
    for pattern in _SCORE_PATTERNS:
        if match := pattern.search(norm):
            token = match.group(1)
            return int(token) if token.isdigit() else _NUMBER_WORDS[token]
    return None


def feedback_sentiment(text: str, score: int | None) -> str:
    """A given score decides by NPS bands (0–6 negative, 9–10 positive, 7–8 neutral unless the
    words praise); without one, the words do."""
    label = detect_sentiment(_PRAISE.sub(" bom ", fold(text))).label
    if score is None:
        return label
    if score <= 6:
        return Sentiment.NEGATIVE
    return Sentiment.POSITIVE if score >= 9 or label == Sentiment.POSITIVE else Sentiment.NEUTRAL


def followup_answer_record(*, followup: FollowUp, text: str) -> FollowUp:
    """Record the customer's answer: sentiment, score (0–10) when given, the words as a comment.

    A negative answer is flagged for the staff and written to the audit trail; nothing is
    handed off automatically (the staff decide whether to call). A second message adds to the
    comment and may change the reading; the metrics count a follow-up again only when it does.
    """
    text = (text or "").strip()
    with transaction.atomic():
        followup = FollowUp.objects.select_for_update(of=("self",)).select_related("appointment").get(pk=followup.pk)
        was = followup.sentiment
        score = feedback_score(text)
        followup.score = score if score is not None else followup.score
        followup.comment = "\n".join(c for c in (followup.comment, _comment(text, score)) if c)
        followup.sentiment = feedback_sentiment(followup.comment or text, followup.score)
        followup.flagged = followup.flagged or followup.sentiment == Sentiment.NEGATIVE
        followup.state, followup.answered_at = State.ANSWERED, followup.answered_at or timezone.now()
        followup.save(update_fields=["score", "comment", "sentiment", "flagged", "state", "answered_at"])
        if followup.sentiment != was:
            _count(followup)
        publish(FollowUpScored(followup_id=followup.pk, appointment_id=followup.appointment_id,
                               contact_id=followup.appointment.contact_id, score=followup.score,
                               sentiment=followup.sentiment, flagged=followup.flagged))
    return followup


def _comment(text: str, score: int | None) -> str:
    """The free text; a bare score ("9", "nota 10") is not a comment."""
    if score is not None and re.fullmatch(rf"(?:nota\s*)?{_NUMBER}\s*(?:/\s*10)?[\s!.]*", fold(text)):
        return ""
    return text


def _count(followup: FollowUp) -> None:
    if followup.sentiment == Sentiment.POSITIVE:
        transaction.on_commit(lambda: FOLLOWUPS_POSITIVE.inc())
    elif followup.sentiment == Sentiment.NEGATIVE:
        transaction.on_commit(lambda: FOLLOWUPS_NEGATIVE.inc())
