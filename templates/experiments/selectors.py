"""Reads of the A/B tests, in the current company's schema."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from secretaria.settings_cache import cached
from templates.experiments import stats
from templates.experiments.models import Experiment, ExperimentVariant, Exposure

ACTIVE = (Experiment.Status.RUNNING, Experiment.Status.PAUSED)


@dataclass(frozen=True)
class ActiveTest:
    """What the chooser and the outcome subscribers need of a running or paused test, kept in memory."""

    id: int
    slot: str
    variant: str
    status: str
    epsilon: float
    outcome: str
    variants: tuple[tuple[int, str], ...]  # (variant id, text), in order

    @property
    def running(self) -> bool:
        return self.status == Experiment.Status.RUNNING

    def text_of(self, variant_id: int) -> str | None:
        return next((text for pk, text in self.variants if pk == variant_id), None)


def active_tests() -> tuple[ActiveTest, ...]:
    """The company's running and paused tests, kept in each process until one is started, paused or
    stopped (services call settings_changed()): the chooser runs on every rendered text."""
    return cached("abtests_active", _active_load)


def _active_load() -> tuple[ActiveTest, ...]:
    tests = (Experiment.objects.filter(status__in=ACTIVE)
             .prefetch_related(Prefetch("variants", queryset=ExperimentVariant.objects.order_by("position"))))
    return tuple(ActiveTest(id=t.pk, slot=t.slot, variant=t.variant, status=t.status, epsilon=t.epsilon,
                            outcome=t.outcome, variants=tuple((v.pk, v.text) for v in t.variants.all()))
                 for t in tests)


def running_test_for(*, slot: str, variant: str) -> ActiveTest | None:
    return next((t for t in active_tests() if t.running and t.slot == slot and t.variant == variant), None)


def running_elsewhere(*, slot: str, variant: str, exclude_id: int | None = None) -> Experiment | None:
    """The test already running on this slot and variant (read from the database, not the cache)."""
    running = Experiment.objects.filter(slot=slot, variant=variant, status=Experiment.Status.RUNNING)
    if exclude_id is not None:
        running = running.exclude(pk=exclude_id)
    return running.first()


def experiment_list() -> QuerySet[Experiment]:
    return Experiment.objects.prefetch_related("variants").order_by("-created_at", "-id")


def experiment_get(*, experiment_id: int) -> Experiment | None:
    return experiment_list().filter(pk=experiment_id).first()


def variant_counts(*, experiment_id: int) -> dict[int, tuple[int, int]]:
    """(exposures, conversions) by variant id; a variant nobody saw is absent."""
    rows = (Exposure.objects.filter(experiment_id=experiment_id).values("variant_id")
            .annotate(exposures=Count("id"), conversions=Count("conversion")).order_by())
    return {row["variant_id"]: (row["exposures"], row["conversions"]) for row in rows}


def experiment_results(*, experiment: Experiment) -> dict:
    """Per variant: exposures, conversions, rate, its 95 % Wilson interval and the probability of being
    the best (Beta posteriors). Rates, intervals and probabilities are None while nobody was exposed."""
    variants = sorted(experiment.variants.all(), key=lambda v: v.position)
    counts = variant_counts(experiment_id=experiment.pk)
    pairs = [counts.get(v.pk, (0, 0)) for v in variants]
    exposed = sum(n for n, _ in pairs)
    best = stats.probability_best(pairs) if exposed else [None] * len(variants)
    rows = []
    for variant, (n, c), p_best in zip(variants, pairs, best, strict=True):
        interval = stats.wilson_interval(c, n)
        rows.append({"id": variant.pk, "label": variant.label, "text": variant.text, "exposures": n,
                     "conversions": c, "rate": _round(stats.rate(c, n)),
                     "interval": [_round(interval[0]), _round(interval[1])] if interval else None,
                     "p_best": _round(p_best), "winner": experiment.winner_id == variant.pk})
    return {"id": experiment.pk, "slot": experiment.slot, "variant": experiment.variant,
            "status": experiment.status, "outcome": experiment.outcome, "window_hours": experiment.window_hours,
            "exposures": exposed, "conversions": sum(c for _, c in pairs), "winner": experiment.winner_id,
            "variants": rows}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
