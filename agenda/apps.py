from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = "Agenda"

    def ready(self) -> None:
        # The booking chat answers turns that are its business (conversations/turns.py).
        from agenda.chat.handler import AGENDA_TURN_HANDLER
        from agenda.selectors import service_catalogue
        from conversations.assistant.catalogue import register_catalogue
        from conversations.turns import register_turn_handler

        register_turn_handler(AGENDA_TURN_HANDLER)
        # The assistant quotes prices and durations from the services (conversations/assistant/catalogue.py).
        register_catalogue(service_catalogue)
