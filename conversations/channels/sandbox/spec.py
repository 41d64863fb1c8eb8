"""The built-in sandbox as a channel kind: nothing leaves the machine (demos, tests, `manage.py chat`)."""

from collections.abc import Mapping

from conversations.channels.registry import ChannelSpec, Inbound
from conversations.channels.sandbox import SandboxClient, parse_inbound
from conversations.channels.signing import secret_authenticates


def _client(_values: Mapping[str, str]) -> SandboxClient:
    return SandboxClient()


def _parse(payload: dict) -> Inbound:
    return Inbound(messages=[parse_inbound(payload)])


def _redeliver(payload: dict, dead_letter_id: int) -> dict:
    # Without an id the parser invents a new one each time: pin it to the dead letter, so that
    # reprocessing twice stores the message once.
    return {**payload, "id": payload.get("id") or f"sbx-dl-{dead_letter_id}"}


SPEC = ChannelSpec(kind="sandbox", label="Sandbox (simulador)", fields=(), client=_client, parse=_parse,
                   authenticate=secret_authenticates, redeliver=_redeliver)
