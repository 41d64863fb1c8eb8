"""The figures of a corpus run, and how `make eval` prints them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from conversations.assistant.evaluation.runner import DialogueResult, PromptCoverage, UtteranceResult

HELDOUT_TITLE = "Held-out set (written blind, never tuned on)"


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@dataclass(frozen=True)
class Figures:
    utterances: int
    dialogues: int
    intent_accuracy: float  # the engine's intent is one of the expected (in-scope and out-of-scope)
    per_intent: dict[str, tuple[int, int]]  # first expected intent -> (right, total)
    confusion: dict[tuple[str, str], int]  # (expected, got) -> count
    multi_intent_recall: float  # of messages asking several things: expected intents reported
    fact_recall: float  # expected facts present in the answers
    service_recall: float  # labelled services named in the answers
    fallback_rate: float  # "didn't understand" on in-scope utterances
    dialogue_completion: float
    turn_accuracy: float  # dialogue turns whose every expectation held
    engine_p50_ms: float
    engine_p99_ms: float
    pipeline_p50_ms: float
    pipeline_p99_ms: float

    def as_dict(self) -> dict[str, float]:
        return {"intent_accuracy": self.intent_accuracy, "multi_intent_recall": self.multi_intent_recall,
                "fact_recall": self.fact_recall, "service_recall": self.service_recall,
                "fallback_rate": self.fallback_rate, "dialogue_completion": self.dialogue_completion,
                "turn_accuracy": self.turn_accuracy}


def figures_compute(utterances: list[UtteranceResult], dialogues: list[DialogueResult]) -> Figures:
    per_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confusion: Counter = Counter()
    for r in utterances:
        expected = str(r.utterance.intents[0])
        per_intent[expected][0] += r.correct
        per_intent[expected][1] += 1
        confusion[(expected, str(r.utterance.intents[0] if r.correct else r.intent))] += 1
    multi = [r for r in utterances if len(set(r.utterance.intents)) > 1]
    asked = sum(len(set(r.utterance.intents)) for r in multi)
    heard = sum(len(set(r.utterance.intents) & r.intents) for r in multi)
    facts = sum(len(r.utterance.facts) for r in utterances)
    services = [r.service_ok for r in utterances if r.service_ok is not None]
    in_scope = [r for r in utterances if r.utterance.in_scope]
    turns = [t for d in dialogues for t in d.turns]
    return Figures(
        utterances=len(utterances), dialogues=len(dialogues),
        intent_accuracy=_share(sum(r.correct for r in utterances), len(utterances)),
        per_intent={k: (v[0], v[1]) for k, v in sorted(per_intent.items())},
        confusion=dict(confusion),
        multi_intent_recall=_share(heard, asked),
        fact_recall=_share(facts - sum(len(r.missing_facts) for r in utterances), facts),
        service_recall=_share(sum(services), len(services)),
        fallback_rate=_share(sum(r.fallback for r in in_scope), len(in_scope)) if in_scope else 0.0,
        dialogue_completion=_share(sum(d.completed for d in dialogues), len(dialogues)),
        turn_accuracy=_share(sum(not t.failures for t in turns), len(turns)),
        engine_p50_ms=1000 * _percentile([r.seconds for r in utterances], 0.50),
        engine_p99_ms=1000 * _percentile([r.seconds for r in utterances], 0.99),
        pipeline_p50_ms=1000 * _percentile([t.seconds for t in turns], 0.50),
        pipeline_p99_ms=1000 * _percentile([t.seconds for t in turns], 0.99),
    )


def report_text(figures: Figures, utterances: list[UtteranceResult], dialogues: list[DialogueResult], *,
                prompts: PromptCoverage | None = None, misses: int = 15) -> str:
    """The printed report: headline figures, accuracy per intent, the confusion table, some misses."""
    f = figures
    lines = [
        f"Corpus: {f.utterances} utterances, {f.dialogues} dialogues",
        f"  intent accuracy        {f.intent_accuracy:6.1%}   (issue 15 floor: 95 %)",
        f"  multi-intent recall    {f.multi_intent_recall:6.1%}",
        f"  facts in the answer    {f.fact_recall:6.1%}",
        f"  service named          {f.service_recall:6.1%}",
        f"  fallback (in scope)    {f.fallback_rate:6.1%}   (issue 15 ceiling: 5 %)",
        f"  dialogue completion    {f.dialogue_completion:6.1%}   (issue 15 floor: 100 %)"
        f"   turns right {f.turn_accuracy:.1%}",
        f"  engine time per turn   p50 {f.engine_p50_ms:.2f} ms   p99 {f.engine_p99_ms:.2f} ms"
        "   (target p99 <= 150 ms)",
        f"  pipeline time per turn p50 {f.pipeline_p50_ms:.1f} ms   p99 {f.pipeline_p99_ms:.1f} ms"
        "   (with the database)",
    ]
    if prompts:
        lines.append(f"  LLM request carries    facts {_share(*prompts.facts):.1%}   the customer's messages "
                     f"{_share(*prompts.messages):.1%}   the rules {_share(*prompts.rules):.1%}")
    lines += ["", *_per_intent(f.per_intent), "", *_confusion_table(f.confusion), *_misses(utterances, misses)]
    failed = [d for d in dialogues if not d.completed]
    if failed:
        lines += ["", f"Dialogues not completed ({len(failed)}):"]
        for d in failed:
            first = next((n, t) for n, t in enumerate(d.turns, start=1) if t.failures)
            lines.append(f"  [{d.dialogue.id}] turn {first[0]} {' / '.join(first[1].texts)!r}: "
                         f"{'; '.join(first[1].failures)}")
    return "\n".join(lines)


def heldout_text(utterances: list[UtteranceResult], *, misses: int = 15) -> str:
    """The held-out block of `make eval`: the tuning corpus's measures on utterances written blind.

    No floor holds it (a measure, not a target): the gap between these figures and the tuning
    corpus's is how much of an improvement was fitted to the corpus rather than to customers.
    """
    f = figures_compute(utterances, [])
    lines = [
        f"{HELDOUT_TITLE}: {f.utterances} utterances, no floor",
        f"  intent accuracy        {f.intent_accuracy:6.1%}",
        f"  multi-intent recall    {f.multi_intent_recall:6.1%}",
        f"  facts in the answer    {f.fact_recall:6.1%}",
        f"  service named          {f.service_recall:6.1%}",
        f"  fallback (in scope)    {f.fallback_rate:6.1%}",
        "", *_per_intent(f.per_intent), *_misses(utterances, misses),
    ]
    return "\n".join(lines)


def _per_intent(per_intent: dict[str, tuple[int, int]]) -> list[str]:
    return ["Accuracy per intent (by the first expected intent):"] + [
        f"  {name:24} {right:4}/{total:<4} {right / total:6.1%}" for name, (right, total) in per_intent.items()]


def _misses(utterances: list[UtteranceResult], limit: int) -> list[str]:
    """The first `limit` utterances read as another intent or missing a fact, after a blank line."""
    wrong = [r for r in utterances if not r.correct or r.missing_facts]
    if not wrong:
        return []
    lines = ["", f"Some misses (of {len(wrong)}):"]
    for r in wrong[:limit]:
        said = " / ".join(r.utterance.texts)
        lines.append(f"  [{r.utterance.id}] {said!r}: expected {[str(i) for i in r.utterance.intents]}, "
                     f"got {r.intent}" + (f"; missing {list(r.missing_facts)}" if r.missing_facts else ""))
    return lines


def _confusion_table(confusion: dict[tuple[str, str], int]) -> list[str]:
    names = sorted({e for e, _g in confusion} | {g for _e, g in confusion})
    short = {n: n.replace("appointment_", "appt_")[:11] for n in names}
    head = "expected \\ got".ljust(24) + "".join(short[n].rjust(12) for n in names)
    rows = ["Confusion table (rows: expected, columns: the engine's intent):", head]
    for e in sorted({e for e, _g in confusion}):
        rows.append(e.ljust(24) + "".join(str(confusion.get((e, g), "") or ".").rjust(12) for g in names))
    return rows
