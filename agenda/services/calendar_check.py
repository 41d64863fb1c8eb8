"""The panel's "Testar conexão" for the calendar: does Cal.com accept the saved key?"""

from agenda.models import CalendarConfig
from agenda.providers.calcom import CalcomClient
from agenda.services.config import calendar_config
from secretaria.connection_check import ConnectionCheck, Outcome


def calendar_connection_check() -> ConnectionCheck:
    """One call with the saved settings (no retries: staff are waiting, and they may press again)."""
    config = calendar_config()
    if config.provider != CalendarConfig.Provider.CALCOM:
        return ConnectionCheck(Outcome.OFFLINE, "a agenda própria não depende de nenhum serviço externo.")
    if not config.calcom_api_key:
        return ConnectionCheck(Outcome.CREDENTIALS, "a chave da API do Cal.com não foi informada.")
    client = CalcomClient(base_url=config.calcom_base_url, api_key=config.calcom_api_key, attempts=1)
    return client.check()
