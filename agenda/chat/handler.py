"""The agenda's turn handler: registered with the conversation engine in AgendaConfig.ready()."""

from agenda.chat.flow import agenda_turn
from conversations.turns import TurnHandler

AGENDA_TURN_HANDLER = TurnHandler(name="agenda", answer=agenda_turn, priority=100)
