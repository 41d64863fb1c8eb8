from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = "Agenda"

    def ready(self) -> None:
        from agenda.calendar.screens import SCREEN as CALENDAR
        from agenda.chat.handler import AGENDA_TURN_HANDLER
        from agenda.closed_days import AGENDA_CLOSED_DAYS
        from agenda.reports import company_tz
        from agenda.selectors import service_catalogue
        from agenda.subscribers import subscribe_all
        from conversations.assistant.catalogue import register_catalogue
        from conversations.assistant.closed_days import register_closed_day_source
        from conversations.turns import register_turn_handler
        from secretaria.panel.middleware import zone_resolvers
        from secretaria.panel.screens import screens

        # The booking chat answers turns that are its business (conversations/turns.py).
        register_turn_handler(AGENDA_TURN_HANDLER)
        # The assistant quotes prices and durations from the services (conversations/assistant/catalogue.py).
        register_catalogue(service_catalogue)
        # The business's days off are closed days in the assistant's answers (conversations/assistant/closed_days.py).
        register_closed_day_source(AGENDA_CLOSED_DAYS)
        # A cancelled or moved appointment frees a slot for the waitlist.
        subscribe_all()
        # Admin pages show hours in the calendar's time zone (secretaria/panel/middleware.py).
        zone_resolvers.register(("calendar", company_tz))
        screens.register(CALENDAR)  # the operator panel's calendar (secretaria/panel/screens.py)
