"""The panel's "Testar conexão" for a channel: its kind's client, built from the saved settings, makes
one harmless authenticated call (ChannelClient.check: Meta reads the number, Whaticket has its token
checked, the sandbox has nothing to call)."""

from conversations.channels.models import Channel
from conversations.channels.registry import channel_spec
from secretaria.connection_check import ConnectionCheck, Outcome


def channel_connection_check(*, channel: Channel) -> ConnectionCheck:
    spec = channel_spec(channel.kind)
    if spec is None:
        return ConnectionCheck(Outcome.REFUSED, f"o tipo de canal {channel.kind!r} não está instalado.")
    try:
        client = spec.client(channel.values())
    except (KeyError, ValueError):  # a setting the client needs is missing
        return ConnectionCheck(Outcome.CREDENTIALS, "faltam configurações deste canal; preencha e salve antes.")
    check = getattr(client, "check", None)
    if check is None:  # a kind registered by another app without a check
        return ConnectionCheck(Outcome.OFFLINE, f"o canal {spec.label} não oferece teste de conexão.")
    return check()
