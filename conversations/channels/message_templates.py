"""Approved WhatsApp message templates, as the floors below `templates` see them: two seams.

Outside Meta's 24-hour window only an approved template goes through. Which template carries a
given automation's message, and with which parameters, is the company's choice, kept by
`templates/whatsapp` — a higher floor, which fills both seams here in its `AppConfig.ready()`:

- the *resolver*: "the template for (channel, slot), filled from these variables", asked by the
  outbox when Meta says the window is closed (`template_for`); None keeps the channel's
  single-variable fallback template;
- the *status listener*: hears what Meta's `message_template_status_update` webhook field said
  (approved, rejected with a reason, paused...), handed up by the channel's parser
  (`template_status_hand_up`), in the schema the webhook arrived in (the platform's: the
  listener finds the company).

Without the templates app installed both seams are empty: no mapping, and status updates are
acknowledged and forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class TemplateMessage:
    """A template to send: its name and language as approved, and its body's parameters in
    `{{1}}`, `{{2}}`… order (already plain text; the provider applies its own rules to each)."""

    name: str
    language: str
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class TemplateStatusChange:
    """One `message_template_status_update` item: what happened to which template of which account.

    `account`: the provider account the templates belong to (Meta: the WABA id, `entry[].id`).
    `event`: Meta's word as sent (APPROVED, REJECTED, PAUSED, DISABLED, PENDING_DELETION...).
    """

    provider: str
    account: str
    template_id: str
    name: str
    language: str
    event: str
    reason: str = ""
    category: str = ""
    raw: dict = field(default_factory=dict)


Resolver = Callable[[int, str, Mapping[str, object]], "TemplateMessage | None"]
Listener = Callable[[list[TemplateStatusChange]], None]
_resolver: list[Resolver] = []
_listener: list[Listener] = []


def template_resolver_set(resolver: Resolver) -> None:
    """templates' AppConfig.ready(): the one resolver (setting it again replaces it)."""
    _resolver[:] = [resolver]


def template_status_listener_set(listener: Listener) -> None:
    """templates' AppConfig.ready(): the one listener (setting it again replaces it)."""
    _listener[:] = [listener]


def template_for(*, channel_id: int, slot: str, variables: Mapping[str, object]) -> TemplateMessage | None:
    """The approved template mapped to `slot` on this channel, filled from `variables`; None when
    none is mapped (or approved), so the caller keeps its fallback. In the company's schema."""
    if not slot or not _resolver:
        return None
    return _resolver[0](channel_id, slot, variables)


def template_status_hand_up(changes: Iterable[TemplateStatusChange]) -> None:
    """Give the parsed status updates to whoever keeps the templates (nobody: they are dropped)."""
    changes = list(changes)
    if not changes:
        return
    if not _listener:
        log.info("template_status_unheard", count=len(changes))
        return
    _listener[0](changes)
