"""Whaticket as a channel kind (docs/contracts/whaticket.md §1).

Each channel has its own URL on the company's host, `/webhook/whaticket/<secret>`
(or `?token=`, or our HMAC headers with the secret as key: §1.5). Replies go out through
the instance's Send API with its API token.
"""

from collections.abc import Mapping

from conversations.channels.registry import ChannelSpec, ConfigField, Inbound
from conversations.channels.signing import secret_authenticates
from conversations.channels.whaticket.client import WhaticketClient
from conversations.channels.whaticket.inbound import parse_inbound
from secretaria.http import shared_client
from secretaria.url_check import base_url_problem


def _client(values: Mapping[str, str]) -> WhaticketClient:
    return WhaticketClient(base_url=values["base_url"], token=values["access_token"], http=shared_client())


def _parse(payload: dict) -> Inbound:
    message = parse_inbound(payload)
    return Inbound(messages=[message] if message is not None else [])


SPEC = ChannelSpec(
    kind="whaticket",
    label="Whaticket",
    fields=(
        ConfigField("base_url", "URL do Whaticket", required=True, validate=base_url_problem,
                    normalise=lambda value: value.strip().rstrip("/")),
        ConfigField("access_token", "token da API do Whaticket", required=True, secret=True, aliases=("token",)),
    ),
    client=_client,
    parse=_parse,
    authenticate=secret_authenticates,
)
