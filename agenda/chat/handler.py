"""The agenda's turn handler: registered with the conversation engine in AgendaConfig.ready()."""

from agenda.chat.flow import agenda_turn
from conversations.turns import Intent, Turn, TurnHandler, TurnReply


def agenda_answer(turn: Turn) -> TurnReply | None:
    reply = agenda_turn(contact=turn.contact, conversation=turn.conversation, texts=list(turn.texts),
                        intent=str(turn.intent), now=turn.now, handoff=turn.handoff)
    if reply is None:
        return None
    return TurnReply(text=reply.text, intent=Intent(reply.intent), options=tuple(reply.options), body=reply.body)


AGENDA_TURN_HANDLER = TurnHandler(name="agenda", answer=agenda_answer, priority=100)
