"""Reading the corpus (YAML under corpus/): utterances and dialogues as typed, validated records.

Two sets live side by side. The tuning corpus (utterances-*.yaml, dialogues-*.yaml) is what the
engine is improved against and what the suite's floors hold. The held-out set (files named
heldout-*.yaml) was written blind, without reading the engine, and is only measured: a gain that
shows on the tuning corpus but not here was fitted to the corpus, not to customers. Never tune
the engine on a held-out miss; write new cases into the tuning corpus instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from conversations.turns import Intent
from secretaria.ptbr import fold

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
HELDOUT_PREFIX = "heldout-"  # a file so named belongs to the held-out set
OUTCOMES = ("booked", "rescheduled", "cancelled")


@dataclass(frozen=True)
class Utterance:
    """One burst of a customer's messages (one or several fragments) and what a right answer holds."""

    id: str
    texts: tuple[str, ...]
    intents: tuple[Intent, ...]  # the first decides the reply; all are asked
    in_scope: bool
    facts: tuple[str, ...] = ()  # must appear in the answer (accents and case aside)
    slots: dict = field(default_factory=dict)  # service, day, time...: the service is scored
    region: str = ""


@dataclass(frozen=True)
class Expect:
    """What must be true after one turn of a dialogue; None/empty means "not checked"."""

    intents: tuple[Intent, ...] = ()  # the reply's intent is one of these
    facts: tuple[str, ...] = ()
    outcome: str | None = None  # "booked", "rescheduled", "cancelled" happened in this turn
    handoff: bool | None = None  # the conversation went (True) or did not go (False) to the staff
    options: bool | None = None  # the reply offered a list to pick from


@dataclass(frozen=True)
class DialogueTurn:
    texts: tuple[str, ...]
    expect: Expect


@dataclass(frozen=True)
class Dialogue:
    id: str
    turns: tuple[DialogueTurn, ...]
    region: str = ""


@dataclass(frozen=True)
class Corpus:
    utterances: tuple[Utterance, ...]
    dialogues: tuple[Dialogue, ...]


def corpus_load(directory: Path = CORPUS_DIR, *, heldout: bool = False) -> Corpus:
    """The tuning corpus (utterances-*.yaml, dialogues-*.yaml) or, with `heldout`, the held-out set
    (heldout-utterances*.yaml, heldout-dialogues*.yaml) of `directory`; a malformed entry raises ValueError,
    and so does a held-out utterance that the tuning corpus also holds (it would not be held out)."""
    prefix, dash = (HELDOUT_PREFIX, "") if heldout else ("", "-")
    utterances = _entries(directory, f"{prefix}utterances{dash}*.yaml", _utterance)
    dialogues = _entries(directory, f"{prefix}dialogues{dash}*.yaml", _dialogue)
    if heldout:
        _disjoint(utterances, _entries(directory, "utterances-*.yaml", _utterance))
    return Corpus(tuple(utterances), tuple(dialogues))


def _entries(directory: Path, pattern: str, build: Callable[[dict, str], object]) -> list:
    return [build(raw, f"{path.stem}:{n}") for path in sorted(directory.glob(pattern))
            for n, raw in enumerate(_read(path), start=1)]


def _disjoint(heldout: list[Utterance], tuning: list[Utterance]) -> None:
    """Compared on the words alone: "Aceita Pix?" and "aceita pix" are the same message."""
    seen = {_words(u) for u in tuning}
    shared = [u.id for u in heldout if _words(u) in seen]
    if shared:
        raise ValueError(f"held-out utterances also in the tuning corpus: {shared}")


def _words(utterance: Utterance) -> str:
    return " ".join(re.findall(r"\w+", fold(" ".join(utterance.texts))))


def _read(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise ValueError(f"{path.name}: expected a list of entries")
    return data


def _texts(value, where: str) -> tuple[str, ...]:
    texts = (value,) if isinstance(value, str) else tuple(value or ())
    if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
        raise ValueError(f"{where}: text must be a non-empty string or list of strings")
    return texts


def _intents(value, where: str) -> tuple[Intent, ...]:
    names = [value] if isinstance(value, str) else list(value or ())
    try:
        return tuple(Intent(name) for name in names)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc


def _utterance(raw: dict, where: str) -> Utterance:
    intents = _intents(raw.get("intents"), where)
    if not intents:
        raise ValueError(f"{where}: intents is required")
    return Utterance(id=raw.get("id") or where, texts=_texts(raw.get("text"), where), intents=intents,
                     in_scope=bool(raw.get("in_scope", True)), facts=tuple(raw.get("facts") or ()),
                     slots=dict(raw.get("slots") or {}), region=raw.get("region", ""))


def _dialogue(raw: dict, where: str) -> Dialogue:
    turns = []
    for n, turn in enumerate(raw.get("turns") or (), start=1):
        at = f"{where} turn {n}"
        expect = turn.get("expect") or {}
        outcome = expect.get("outcome")
        if outcome is not None and outcome not in OUTCOMES:
            raise ValueError(f"{at}: outcome must be one of {OUTCOMES}")
        turns.append(DialogueTurn(texts=_texts(turn.get("say"), at), expect=Expect(
            intents=_intents(expect.get("intent"), at), facts=tuple(expect.get("facts") or ()),
            outcome=outcome, handoff=expect.get("handoff"), options=expect.get("options"))))
    if not turns:
        raise ValueError(f"{where}: a dialogue needs turns")
    return Dialogue(id=raw.get("id") or where, turns=tuple(turns), region=raw.get("region", ""))
