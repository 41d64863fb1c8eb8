"""The agenda's part of a chat turn, registered as a turn handler in AgendaConfig.ready().

An open dialog (a question the agenda asked: a slot list, a reminder's "1/2/3") is answered by
`answers.step_answer`; otherwise `flow.start` sees whether the burst asks for the agenda at all.
"""

import structlog

from agenda.chat.answers import step_answer
from agenda.chat.flow import Turn, calendar_ready, start
from agenda.services.config import calendar_config
from agenda.services.dialogs import dialog_current
from agenda.types import AgendaError
from conversations.turns import Intent, TurnHandler, TurnReply
from conversations.turns import Turn as EngineTurn

log = structlog.get_logger(__name__)


def agenda_turn(engine_turn: EngineTurn) -> TurnReply | None:
    """The agenda's reply to this burst, or None to let the engine's reply stand.

    `handoff`: the engine is handing the conversation to a person; the agenda then only
    records what must not be lost (a follow-up answer) and never answers itself.
    """
    if not engine_turn.text or not calendar_ready():
        return None
    turn = Turn(contact=engine_turn.contact, text=engine_turn.text, intent=engine_turn.intent, now=engine_turn.now,
                tz=calendar_config().timezone, handoff=engine_turn.handoff,
                service_id=getattr(engine_turn, "service_id", None))
    dialog = dialog_current(contact=turn.contact)
    try:
        if dialog is not None:
            reply = step_answer(turn, dialog.state)
            if reply is not None or turn.handoff:
                return None if turn.handoff else reply
        elif turn.handoff:
            return None
        return start(turn)
    except AgendaError as exc:
        # The calendar is down or refused (a bad Cal.com key...): an apology, the dialog kept for a retry.
        log.warning("agenda_calendar_error", contact_id=turn.contact.pk, error=type(exc).__name__)
        return TurnReply(turn.said("calendar_down"), Intent.APPOINTMENT_REQUEST)


AGENDA_TURN_HANDLER = TurnHandler(name="agenda", answer=agenda_turn, priority=100)
