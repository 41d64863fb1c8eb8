"""The slots: every fixed text the product sends, by a stable snake_case name, with its pt-BR default.

The defaults are data, one TOML file per part of the product under `templates/replies/slots/`
(agenda.toml, conversations.toml...), read once per process:

    [booking_confirmation]
    label = "Confirmação do agendamento"        # what the admin and the API show
    moment = "Agenda"                           # the group it is listed in
    help = "Enviada quando o cliente confirma um horário."
    variables = ["nome", "servico", "profissional", "data", "hora", "endereco", "empresa"]
    text = "Prontinho, agendado! ✅ ..."
    [booking_confirmation.variants]             # optional: wordings for a sentiment, formality or channel
    formal = "..."

A slot's `variables` are the only ones its texts may use (checked when a company saves one).
The common ones are in STANDARD; a slot may add its own (`saudacao`, `horarios`...).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from templates.replies.syntax import validate

SLOTS_DIR = Path(__file__).parent / "slots"
STANDARD = {
    "nome": "primeiro nome do cliente",
    "servico": "serviço",
    "profissional": "profissional",
    "data": "data (ex.: terça, 08/12)",
    "hora": "hora (ex.: 15:00)",
    "endereco": "endereço da empresa",
    "empresa": "nome da empresa",
    "link": "link",
}
SAMPLE = {"nome": "Maria", "servico": "Limpeza de pele", "profissional": "Dra. Ana", "data": "terça, 08/12",
          "hora": "15:00", "endereco": "Rua das Flores, 123 — Centro", "empresa": "Clínica Bella Pele",
          "link": "https://exemplo.com.br/link"}


@dataclass(frozen=True)
class Slot:
    name: str
    label: str
    moment: str
    text: str
    variables: tuple[str, ...]
    help: str = ""
    variants: dict[str, str] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)  # example values of the slot's own variables

    def default(self, variant: str = "") -> str:
        return self.variants.get(variant, self.text) if variant else self.text

    def sample(self) -> dict[str, str]:
        return {name: self.samples.get(name, SAMPLE.get(name, f"[{name}]")) for name in self.variables}


@cache
def slots() -> dict[str, Slot]:
    """Every slot by name, from every data file; a default that breaks its own rules fails at once."""
    found: dict[str, Slot] = {}
    for path in sorted(SLOTS_DIR.glob("*.toml")):
        with path.open("rb") as data:
            for name, entry in tomllib.load(data).items():
                if name in found:
                    raise ValueError(f"{path.name}: slot {name!r} is defined twice")
                found[name] = _slot(name, entry, path)
    return found


def _slot(name: str, entry: dict, path: Path) -> Slot:
    slot = Slot(name=name, label=entry["label"], moment=entry.get("moment", ""), text=entry["text"],
                variables=tuple(entry.get("variables", ())), help=entry.get("help", ""),
                variants=dict(entry.get("variants", {})), samples=dict(entry.get("samples", {})))
    for variant, text in {"": slot.text, **slot.variants}.items():
        try:
            validate(text, allowed=slot.variables)
        except Exception as exc:
            raise ValueError(f"{path.name}: slot {name!r} {variant or 'base'} text: {exc}") from exc
    return slot


def slot_get(name: str) -> Slot:
    try:
        return slots()[name]
    except KeyError:
        raise LookupError(f"Unknown template slot {name!r}") from None
