"""An A/B test on the greeting through the real reply pipeline: each new contact is greeted with one
variant, always the same one, and the contact's reply converts it once."""
# ruff: noqa: F811 - the clinic fixture is shared from test_conversation_slots.py

import random

from templates.experiments import chooser
from templates.experiments.models import Conversion, Exposure
from templates.experiments.selectors import experiment_results
from templates.experiments.services import experiment_create, experiment_start
from tests.templates.test_conversation_slots import Customer, clinic  # noqa: F401

HELLO = "Olá, {nome}! Aqui é {assistente}, da {empresa}. Posso ajudar?"
HI = "Oi, {nome}! {assistente} falando. Em que posso ajudar?"


def test_each_new_contact_gets_one_greeting_variant_and_its_reply_converts_it(clinic, monkeypatch,
                                                                                django_capture_on_commit_callbacks):
    monkeypatch.setattr(chooser, "rng", random.Random(12))  # the split is the same on every run
    test = experiment_start(experiment=experiment_create(slot="greeting", texts=[HELLO, HI], outcome="replied",
                                                         epsilon=1.0, window_hours=24))
    people = [Customer(f"Pessoa {n}") for n in range(12)]
    with django_capture_on_commit_callbacks(execute=True):
        greeted = {person.phone: person.says("oi") for person in people}
        for person in people:
            person.says("quanto custa a limpeza de pele?")
            person.says("obrigada")

    exposures = {e.contact.phone: e.variant.text for e in Exposure.objects.filter(experiment=test)
                 .select_related("contact", "variant")}
    assert set(exposures) == set(greeted)  # one exposure per contact, however many replies followed
    for phone, text in greeted.items():
        first_words = text.split("!")[0]  # "Olá, Pessoa" / "Oi, Pessoa"
        assert first_words == exposures[phone].split("!")[0].replace("{nome}", "Pessoa")
    assert {exposures[p] for p in exposures} == {HELLO, HI}  # epsilon 1: both shown (12 contacts)
    assert Conversion.objects.filter(exposure__experiment=test).count() == len(people)  # replied, once each
    results = experiment_results(experiment=test)
    assert sum(v["exposures"] for v in results["variants"]) == 12
    assert sum(v["conversions"] for v in results["variants"]) == 12
