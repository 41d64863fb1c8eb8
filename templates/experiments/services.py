"""Writes of the A/B tests: create, start, pause, stop (rolling a winner into the template), the exposure
a render records, the conversion an outcome event records, and the auto-stop.

Starting, pausing and stopping change what every process renders: each calls settings_changed(), so the
chooser's cached list of running tests (selectors.active_tests) is reloaded everywhere after the commit.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import datetime

import structlog
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from secretaria.errors import Conflict
from secretaria.events import SettingsChanged, publish
from secretaria.settings_cache import settings_changed
from templates.experiments import stats
from templates.experiments.metrics import ABTEST_CONVERSIONS, ABTEST_EXPOSURES, ABTEST_STOPS
from templates.experiments.models import (
    MAX_VARIANTS,
    MAX_WINDOW_HOURS,
    MIN_VARIANTS,
    Conversion,
    Experiment,
    ExperimentVariant,
    Exposure,
)
from templates.experiments.selectors import ActiveTest, running_elsewhere, variant_counts
from templates.replies.catalogue import Slot, slot_get
from templates.replies.services import template_set
from templates.replies.syntax import validate

log = structlog.get_logger(__name__)
Status, Outcome = Experiment.Status, Experiment.Outcome

# How long after seeing the text an outcome still counts, when the test does not say.
DEFAULT_WINDOW_HOURS = {Outcome.REPLIED: 24, Outcome.BOOKED: 24, Outcome.REMINDER_CONFIRMED: 72,
                        Outcome.ATTENDED: 24 * 30, Outcome.PROMOTER: 24 * 30}


# --- checks shared by the API and the admin ------------------------------------------------------

def slot_checked(*, slot: str, variant: str = "") -> Slot:
    """The catalogue's slot; ValidationError (pt-BR) for an unknown slot or slot variant."""
    try:
        found = slot_get(slot)
    except LookupError:
        raise ValidationError({"slot": [f"Momento desconhecido: “{slot}”. Veja a lista em GET /api/templates."]},
                              code="unknown_slot") from None
    if variant and variant not in found.variants:
        known = ", ".join(sorted(found.variants)) or "nenhuma"
        raise ValidationError({"variant": [f"O momento “{slot}” não tem a variação “{variant}”. "
                                           f"Variações: {known}."]}, code="unknown_variant")
    return found


def texts_checked(*, slot: Slot, texts: Sequence[str]) -> list[str]:
    """2-4 different texts, each valid for the slot's variables (the replies' template language)."""
    if not MIN_VARIANTS <= len(texts) <= MAX_VARIANTS:
        raise ValidationError({"variants": [f"Um teste A/B tem de {MIN_VARIANTS} a {MAX_VARIANTS} variações "
                                            f"(recebidas: {len(texts)})."]}, code="variant_count")
    errors = {}
    for index, text in enumerate(texts):
        try:
            validate(text, allowed=slot.variables)
        except ValidationError as exc:
            errors[index] = {"text": exc.messages}
    if errors:
        raise ValidationError({"variants": [errors.get(i, {}) for i in range(len(texts))]}, code="invalid_text")
    cleaned = [text.strip() for text in texts]
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError({"variants": ["As variações precisam ter textos diferentes."]}, code="duplicate")
    return cleaned


def settings_checked(*, epsilon: float, window_hours: int, threshold: float, min_exposures: int) -> None:
    errors = {}
    if not (isinstance(epsilon, int | float) and math.isfinite(epsilon) and 0 <= epsilon <= 1):
        errors["epsilon"] = ["ε deve ficar entre 0 e 1 (ex.: 0.1 = 10 % das vezes uma variação ao acaso)."]
    if not 1 <= window_hours <= MAX_WINDOW_HOURS:
        errors["window_hours"] = [f"A janela deve ficar entre 1 e {MAX_WINDOW_HOURS} horas."]
    if not (math.isfinite(threshold) and 0.5 <= threshold <= 0.999):
        errors["auto_stop"] = ["A probabilidade para encerrar deve ficar entre 0,5 e 0,999."]
    elif min_exposures < 1:
        errors["auto_stop"] = ["A amostra mínima por variação deve ser ao menos 1."]
    if errors:
        raise ValidationError(errors)


def no_running_test_check(*, slot: str, variant: str, exclude_id: int | None = None) -> None:
    other = running_elsewhere(slot=slot, variant=variant, exclude_id=exclude_id)
    if other is not None:
        raise _already_running(other)


def _already_running(other: Experiment | None) -> ValidationError:
    which = f" (“{other}”)" if other is not None else ""
    return ValidationError({"slot": [f"Já há um teste A/B em andamento neste momento{which}. "
                                     "Pause ou encerre esse teste antes de iniciar outro."]}, code="running")


# --- the test's life -----------------------------------------------------------------------------

@transaction.atomic
def experiment_create(*, slot: str, texts: Sequence[str], outcome: str, variant: str = "", epsilon: float = 0.1,
                      window_hours: int | None = None, auto_stop: bool = False, auto_stop_threshold: float = 0.95,
                      auto_stop_min_exposures: int = 100, name: str = "", actor: str = "") -> Experiment:
    """A draft test on a slot with 2-4 wordings. Refused while another test runs on the slot."""
    found = slot_checked(slot=slot, variant=variant)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": [f"Resultado desconhecido: “{outcome}”. Os válidos são: "
                                           f"{', '.join(Outcome.values)}."]}, code="unknown_outcome")
    window_hours = DEFAULT_WINDOW_HOURS[outcome] if window_hours is None else window_hours
    settings_checked(epsilon=epsilon, window_hours=window_hours, threshold=auto_stop_threshold,
                     min_exposures=auto_stop_min_exposures)
    cleaned = texts_checked(slot=found, texts=texts)
    no_running_test_check(slot=slot, variant=variant)
    experiment = Experiment.objects.create(
        name=name.strip(), slot=slot, variant=variant, epsilon=float(epsilon), outcome=outcome,
        window_hours=window_hours, auto_stop=auto_stop, auto_stop_threshold=auto_stop_threshold,
        auto_stop_min_exposures=auto_stop_min_exposures, created_by=actor)
    ExperimentVariant.objects.bulk_create(
        ExperimentVariant(experiment=experiment, position=i, text=text) for i, text in enumerate(cleaned))
    _audit("templates.abtest_created", experiment, actor)
    return experiment


@transaction.atomic
def experiment_start(*, experiment: Experiment, actor: str = "") -> Experiment:
    """Draft or paused -> running. 400 when another test runs on the slot (the partial unique index
    decides a race between two starts)."""
    experiment = _locked(experiment)
    if experiment.status not in (Status.DRAFT, Status.PAUSED):
        raise Conflict(f"Este teste está {experiment.get_status_display().lower()}: não pode ser iniciado.")
    texts_checked(slot=slot_checked(slot=experiment.slot, variant=experiment.variant),
                  texts=[v.text for v in experiment.variants.order_by("position")])
    no_running_test_check(slot=experiment.slot, variant=experiment.variant, exclude_id=experiment.pk)
    experiment.status = Status.RUNNING
    experiment.started_at = experiment.started_at or timezone.now()
    try:
        with transaction.atomic():
            experiment.save(update_fields=["status", "started_at"])
    except IntegrityError:
        raise _already_running(running_elsewhere(slot=experiment.slot, variant=experiment.variant)) from None
    _changed("templates.abtest_started", experiment, actor)
    return experiment


@transaction.atomic
def experiment_pause(*, experiment: Experiment, actor: str = "") -> Experiment:
    """Running -> paused: nobody new is exposed and contacts get the company's text again; outcomes of
    those already exposed still count within the window."""
    experiment = _locked(experiment)
    if experiment.status != Status.RUNNING:
        raise Conflict(f"Só um teste em andamento pode ser pausado (este está "
                       f"{experiment.get_status_display().lower()}).")
    experiment.status = Status.PAUSED
    experiment.save(update_fields=["status"])
    _changed("templates.abtest_paused", experiment, actor)
    return experiment


@transaction.atomic
def experiment_stop(*, experiment: Experiment, actor: str = "", winner_id: int | None = None,
                    reason: str = Experiment.StopReason.MANUAL) -> Experiment:
    """Any state but stopped -> stopped, for good; with a winner, its text becomes the company's text
    for the slot (the ReplyTemplate row), so every customer sees it from then on."""
    experiment = _locked(experiment)
    if experiment.status == Status.STOPPED:
        raise Conflict("Este teste já foi encerrado.")
    winner = None
    if winner_id is not None:
        winner = experiment.variants.filter(pk=winner_id).first()
        if winner is None:
            raise ValidationError({"winner": ["Essa variação não é deste teste."]}, code="unknown_winner")
    experiment.status, experiment.stopped_at, experiment.stop_reason = Status.STOPPED, timezone.now(), reason
    experiment.winner = winner
    experiment.save(update_fields=["status", "stopped_at", "stop_reason", "winner"])
    if winner is not None:
        _winner_rollout(experiment, winner)
    _changed("templates.abtest_stopped", experiment, actor)
    transaction.on_commit(lambda: ABTEST_STOPS.labels(reason=reason).inc())
    return experiment


def _winner_rollout(experiment: Experiment, winner: ExperimentVariant) -> None:
    # Through the replies' own write: checked, audited, and seen by every process at once.
    template_set(experiment.slot, winner.text, experiment.variant,
                 by=f"Teste A/B #{experiment.pk} (variação {winner.label})")
    log.info("abtest_winner_rolled_out", experiment_id=experiment.pk, slot=experiment.slot, variant=winner.label)


def _locked(experiment: Experiment) -> Experiment:
    return Experiment.objects.select_for_update().get(pk=experiment.pk)


def _changed(action: str, experiment: Experiment, actor: str) -> None:
    settings_changed()
    _audit(action, experiment, actor)


def _audit(action: str, experiment: Experiment, actor: str) -> None:
    publish(SettingsChanged(area="abtest", action=action, actor=actor, target=f"abtest:{experiment.pk}",
                            data={"slot": experiment.slot_label, "status": experiment.status,
                                  "winner": experiment.winner_id}))


# --- exposures: one per (test, contact) -----------------------------------------------------------

def _exposure_insert_sql() -> str:
    contact_table = Exposure._meta.get_field("contact").related_model._meta.db_table
    # Only while the test runs (a process whose cache is a moment stale records nothing after a pause or
    # a stop), only for a contact that exists, and at most once: the unique (experiment, contact) index
    # makes a second, concurrent render wait for the first and then insert nothing.
    return f"""
        INSERT INTO {Exposure._meta.db_table} (experiment_id, contact_id, variant_id, at)
        SELECT x.id, c.id, %s, %s
        FROM {Experiment._meta.db_table} x, {contact_table} c
        WHERE x.id = %s AND x.status = 'running' AND c.id = %s
        ON CONFLICT (experiment_id, contact_id) DO NOTHING
        RETURNING variant_id
    """


def exposure_variant(*, test: ActiveTest, contact_id: int, rng: random.Random) -> int | None:
    """The variant this contact sees in the test: the one already shown (sticky), else an epsilon-greedy
    pick recorded now. Two renders racing for one new contact agree on the one that was recorded.
    None when the test no longer runs or the contact does not exist."""
    shown = _shown(test.id, contact_id)
    if shown is not None:
        return shown
    ids = [pk for pk, _ in test.variants]
    counts = variant_counts(experiment_id=test.id)
    picked = ids[stats.epsilon_greedy([counts.get(pk, (0, 0)) for pk in ids], epsilon=test.epsilon, rng=rng)]
    with connection.cursor() as cursor:
        cursor.execute(_exposure_insert_sql(), [picked, timezone.now(), test.id, contact_id])
        inserted = cursor.fetchone()
    if inserted is None:
        return _shown(test.id, contact_id)  # a concurrent render recorded its pick first: show that one
    slot = test.slot
    transaction.on_commit(lambda: ABTEST_EXPOSURES.labels(slot=slot).inc())
    return inserted[0]


def _shown(experiment_id: int, contact_id: int) -> int | None:
    return (Exposure.objects.filter(experiment_id=experiment_id, contact_id=contact_id)
            .values_list("variant_id", flat=True).first())


# --- conversions: at most one per exposure --------------------------------------------------------

_CONVERSION_INSERT = f"""
    WITH inserted AS (
        INSERT INTO {Conversion._meta.db_table} (exposure_id, at, event)
        SELECT e.id, %(at)s, %(event)s
        FROM {Exposure._meta.db_table} e JOIN {Experiment._meta.db_table} x ON x.id = e.experiment_id
        WHERE e.contact_id = %(contact)s AND x.outcome = %(outcome)s AND x.status IN ('running', 'paused')
          AND e.at <= %(at)s AND %(at)s <= e.at + make_interval(hours => x.window_hours)
        ON CONFLICT (exposure_id) DO NOTHING
        RETURNING exposure_id
    )
    SELECT x.slot FROM inserted i
    JOIN {Exposure._meta.db_table} e ON e.id = i.exposure_id
    JOIN {Experiment._meta.db_table} x ON x.id = e.experiment_id
"""


def conversions_record(*, contact_id: int, outcome: str, at: datetime, event: str) -> int:
    """Record `outcome` for each of the contact's exposures in a running or paused test judged on it, when
    it happened within the test's window after the exposure. Idempotent: an exposure converts once."""
    with connection.cursor() as cursor:
        cursor.execute(_CONVERSION_INSERT, {"at": at, "event": event, "contact": contact_id, "outcome": outcome})
        slots = [row[0] for row in cursor.fetchall()]
    for slot in slots:
        transaction.on_commit(lambda slot=slot: ABTEST_CONVERSIONS.labels(slot=slot).inc())
    return len(slots)


# --- auto-stop -------------------------------------------------------------------------------------

def experiments_autostop() -> int:
    """Stop each running auto-stop test whose best variant's probability of being best passed the test's
    threshold, once every variant was seen by the minimum sample; its winner goes into the template.
    Returns how many were stopped. Safe to run twice at once: the stop locks the row and re-checks."""
    stopped = 0
    for experiment in Experiment.objects.filter(status=Status.RUNNING, auto_stop=True).prefetch_related("variants"):
        winner_id = autostop_winner(experiment)
        if winner_id is None:
            continue
        try:
            experiment_stop(experiment=experiment, winner_id=winner_id, reason=Experiment.StopReason.AUTO,
                            actor="auto-stop")
        except Conflict:
            continue  # stopped meanwhile by someone else
        log.info("abtest_auto_stopped", experiment_id=experiment.pk, winner_id=winner_id)
        stopped += 1
    return stopped


def autostop_winner(experiment: Experiment) -> int | None:
    """The variant id that should win now, or None (sample too small, or no clear winner)."""
    variants = sorted(experiment.variants.all(), key=lambda v: v.position)
    counts = variant_counts(experiment_id=experiment.pk)
    pairs = [counts.get(v.pk, (0, 0)) for v in variants]
    if len(pairs) < MIN_VARIANTS or min(n for n, _ in pairs) < experiment.auto_stop_min_exposures:
        return None
    p_best = stats.probability_best(pairs)
    best = max(range(len(pairs)), key=p_best.__getitem__)
    return variants[best].pk if p_best[best] >= experiment.auto_stop_threshold else None
