"""The panel's "Testar conexão" for the language model: the saved settings, one tiny request."""

from conversations.assistant.llm import llm_config_get, provider_for
from secretaria.connection_check import ConnectionCheck, Outcome


def llm_connection_check() -> ConnectionCheck:
    provider = provider_for(llm_config_get())
    if provider is None:
        return ConnectionCheck(Outcome.OFFLINE, "modo offline: a assistente responde com o motor local, sem "
                                                "serviço de IA (nada a testar).")
    return provider.check()
