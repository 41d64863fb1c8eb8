from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = "Agenda"

    def ready(self) -> None:
        # The booking chat answers turns that are its business (conversations/turns.py).
        from agenda.chat.handler import AGENDA_TURN_HANDLER
        from conversations.turns import register_turn_handler

        register_turn_handler(AGENDA_TURN_HANDLER)
