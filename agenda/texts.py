"""What the agenda says to a customer: every fixed text is a template slot (secretaria/texts.py).

The slots and their pt-BR defaults are data (templates/replies/slots/agenda.toml); a company edits
them and an A/B test may choose among variants for a contact, so the agenda only names the slot and
fills its variables: the values themselves (`{servico}`: "Limpeza de pele", `{data}`: "terça, 02/12",
`{hora}`: "15:00"), never pre-composed phrases. A value the agenda does not have is left empty: the
template language drops it with the comma or the linking word before it ("com {profissional}").

Every text also gets the contact's first name (`{nome}`), the company's name (`{empresa}`) and address
(`{endereco}`, its knowledge base's address answer), so a company may use them in any of them.
"""

from __future__ import annotations

from datetime import datetime

from agenda.chat.messages import local
from conversations.assistant.engine.tone import first_name as name_first
from conversations.models import KnowledgeItem
from conversations.outreach.services import Outreach
from secretaria.ptbr import WEEKDAY_NAMES
from secretaria.settings_cache import cached
from secretaria.texts import text
from tenants.selectors import company_current


def said(slot: str, *, contact, seed: str = "", **variables: object) -> str:
    """The company's text for `slot` to `contact`, filled with `variables` (plus `nome` and `empresa`)."""
    return text(slot, contact_variables(contact, **variables), contact_id=contact.pk, seed=seed)


def outreach_message(slot: str, *, contact, kind: str, key: str, **variables: object) -> Outreach:
    """A business-initiated message from `slot`, carrying the slot and its variables: outside WhatsApp's
    24-hour window the channel sends the approved template mapped to the slot instead of free text.

    The outreach key is the seed, so a retried send says the same words (of a text's alternatives)."""
    filled = contact_variables(contact, **variables)
    return Outreach(contact=contact, text=text(slot, filled, contact_id=contact.pk, seed=key), kind=kind, key=key,
                    slot=slot, variables=filled)


def contact_variables(contact, **variables: object) -> dict[str, str]:
    values = {"nome": first_name(contact), "empresa": company_name(), "endereco": company_address(), **variables}
    return {name: "" if value is None else str(value) for name, value in values.items()}


def first_name(contact) -> str:
    """As the greeting says it: "maria souza" -> "Maria"; a phone number or an emoji as the name -> ""."""
    return name_first(getattr(contact, "name", "") or "")


def company_name() -> str:
    """Asked for every text: kept per process until the company's settings change."""
    return cached("agenda_company_name", lambda: company_current().name)


def company_address() -> str:
    """The knowledge base's address answer ("" without one); kept like the name."""
    return cached("agenda_company_address", lambda: KnowledgeItem.objects.filter(
        kind="address", is_active=True).values_list("answer", flat=True).first() or "")


def when_variables(start: datetime, tz: str) -> dict[str, str]:
    """{"data": "terça, 02/12", "hora": "15:00"}: a slot as the chat writes it ("terça, 02/12 às 15:00")."""
    at = local(start, tz)
    return {"data": f"{WEEKDAY_NAMES[at.weekday()]}, {at:%d/%m}", "hora": f"{at:%H:%M}"}


def appointment_variables(appointment, tz: str, *, no_service: str = "") -> dict[str, str]:
    """The appointment's `servico`, `profissional`, `data` and `hora`. `no_service`: what `{servico}` says
    for an appointment without one, where the slot's wording needs a word there ("o seu horário")."""
    return {"servico": appointment.service.name if appointment.service else no_service,
            "profissional": appointment.professional.name if appointment.professional else "",
            **when_variables(appointment.start, tz)}
