"""Reads of the company's channels, cached per process until a channel changes (secretaria/settings_cache.py).

Every webhook and every send asks these: one query (and the decryption of the secrets) per
company per settings version, not per message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conversations.channels.models import Channel
from secretaria.settings_cache import cached


@dataclass(frozen=True)
class CompanyChannels:
    by_id: dict[int, Channel] = field(default_factory=dict)
    default: Channel | None = None

    def of_kind(self, kind: str) -> list[Channel]:
        return [channel for channel in self.by_id.values() if channel.kind == kind]


def _load() -> CompanyChannels:
    rows = list(Channel.objects.order_by("-is_default", "id"))
    return CompanyChannels(by_id={row.pk: row for row in rows},
                           default=next((row for row in rows if row.is_default), None))


def channels_company() -> CompanyChannels:
    """Every channel of the current company."""
    return cached("channels", _load)


def channel_by_id(channel_id: int | None) -> Channel | None:
    return channels_company().by_id.get(channel_id) if channel_id else None


def channel_default() -> Channel | None:
    return channels_company().default


def channels_of_kind(kind: str) -> list[Channel]:
    return channels_company().of_kind(kind)


def channel_by_account(*, kind: str, account: str) -> Channel | None:
    """The channel of `kind` whose provider account is `account` (Meta: the phone_number_id)."""
    return next((c for c in channels_of_kind(kind) if account and c.account == account), None)


def channel_list() -> list[Channel]:
    return list(Channel.objects.order_by("-is_default", "id"))
