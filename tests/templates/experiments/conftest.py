"""A/B test fixtures: a slot of our own next to the shipped ones, and helpers to run a test on it.

    def test_x(acme, hello):                  # `hello`: the test slot exists (autouse does it)
        with schema_context("acme"):
            test = running(["Oi, {nome}!", "Olá, {nome}!"], epsilon=0.0)
            text("abtest_hello", {"nome": "Ana"}, contact_id=contact().pk)
"""

import random
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from templates.experiments import chooser
from templates.experiments.models import Conversion, Experiment, Exposure
from templates.experiments.services import experiment_create, experiment_start
from templates.replies import catalogue
from tests.conversations.factories import ContactFactory

SLOT = "abtest_hello"
SLOT_TOML = f"""
[{SLOT}]
label = "Saudação de teste"
moment = "Testes"
help = "Só nos testes dos testes A/B."
variables = ["nome", "empresa"]
text = "Olá, {{nome}}! Aqui é a {{empresa}}."

[{SLOT}.variants]
formal = "Prezado(a) {{nome}}, aqui é a {{empresa}}."
"""
A, B, C = "Oi, {nome}! Como posso ajudar?", "Olá, {nome}! Quer agendar um horário?", "Bom dia, {nome}! Tudo bem?"


@pytest.fixture(autouse=True)
def hello_slot(tmp_path, monkeypatch):
    """The shipped slots plus `abtest_hello`, read from a directory of this test's own."""
    for path in Path(catalogue.SLOTS_DIR).glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "zz_abtest.toml").write_text(SLOT_TOML, encoding="utf-8")
    monkeypatch.setattr(catalogue, "SLOTS_DIR", tmp_path)
    catalogue.slots.cache_clear()
    yield catalogue.slot_get(SLOT)
    catalogue.slots.cache_clear()


@pytest.fixture(autouse=True)
def seeded(monkeypatch):
    """The chooser's picks from a seeded generator: a split is the same on every run."""
    rng = random.Random(20261206)
    monkeypatch.setattr(chooser, "rng", rng)
    return rng


def draft(texts=(A, B), **options) -> Experiment:
    options.setdefault("outcome", Experiment.Outcome.BOOKED)
    return experiment_create(slot=options.pop("slot", SLOT), texts=list(texts), actor="owner@acme.test", **options)


def running(texts=(A, B), **options) -> Experiment:
    return experiment_start(experiment=draft(texts, **options), actor="owner@acme.test")


def contact(**fields):
    return ContactFactory(**fields)


def history(test: Experiment, variant, *, exposed: int, converted: int) -> None:
    """`exposed` new contacts saw `variant`, the first `converted` of them converted."""
    now = timezone.now()
    for index in range(exposed):
        exposure = Exposure.objects.create(experiment=test, contact=contact(), variant=variant, at=now)
        if index < converted:
            Conversion.objects.create(exposure=exposure, at=now, event="AppointmentBooked")
