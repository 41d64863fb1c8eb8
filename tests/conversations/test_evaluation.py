"""The evaluation corpus (conversations/assistant/evaluation) against the demo clinic, held to floors.

Issue 15's targets are intent accuracy >= 95 %, dialogue completion 100 % and at most 5 % of
in-scope utterances answered with the fallback; all three are met and held. The other figures are
held a little under what they measure, so a change that makes the assistant understand less fails
here. Times are printed, never asserted.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from agenda.services.config import calendar_config_forget
from conversations.assistant.evaluation.loader import corpus_load
from conversations.assistant.evaluation.report import figures_compute, heldout_text, report_text
from conversations.assistant.evaluation.runner import dialogues_run, prompts_run, utterances_run
from conversations.channels.services import channel_configure
from conversations.models import CompanyProfile, KnowledgeItem
from conversations.turns import Intent
from devstack.demo.agenda import demo_calendar_ensure
from devstack.demo.conversations import BUSINESS_HOURS, KNOWLEDGE, demo_content_ensure
from secretaria.settings_cache import forget

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))  # a Monday, the clinic open
# Issue 15's targets, met: intent accuracy >= 95 %, dialogue completion 100 %, fallback <= 5 % in
# scope, held at the targets. The other figures are held a little under what they measure (README,
# "Evaluation"), so a change that makes the assistant understand less fails here.
FLOORS = {
    "intent_accuracy": 0.95,  # target; measured 98.8 %
    "multi_intent_recall": 0.95,  # measured 100 %
    "fact_recall": 0.95,  # measured 98.5 %
    "service_recall": 0.90,  # measured 95.5 %
    "dialogue_completion": 1.0,  # target; measured 100 % (41 of 41)
    "turn_accuracy": 1.0,  # measured 100 %
}
CEILINGS = {"fallback_rate": 0.05}  # target; measured 0.3 %


def test_the_corpus_is_big_varied_and_labelled_with_known_intents():
    corpus = corpus_load()

    assert len(corpus.utterances) >= 400 and len(corpus.dialogues) >= 40
    assert len({u.texts for u in corpus.utterances}) == len(corpus.utterances), "an utterance is repeated"
    assert {u.region for u in corpus.utterances} >= {"nordeste", "sul", "SP", "Rio", "Minas"}
    assert sum(len(set(u.intents)) > 1 for u in corpus.utterances) >= 15
    assert sum(len(u.texts) > 1 for u in corpus.utterances) >= 15
    assert sum(not u.in_scope for u in corpus.utterances) >= 20
    assert {i for u in corpus.utterances for i in u.intents} == set(Intent)


@pytest.fixture
def demo_clinic(acme, settings, time_machine):
    """acme dressed as the demo clinic (devstack/demo), on the sandbox channel, on a Monday morning."""
    time_machine.move_to(NOW, tick=False)
    with schema_context(acme.schema_name):
        demo_content_ensure(company_name="Clínica Demo")
        CompanyProfile.objects.filter(singleton=1).update(assistant_name="Ana", emoji=True,
                                                          business_hours=BUSINESS_HOURS)
        KnowledgeItem.objects.exclude(title__in=[title for _kind, title, *_rest in KNOWLEDGE]).delete()
        demo_calendar_ensure()
        channel_configure(kind="sandbox")
        calendar_config_forget()
        forget()
        yield acme


def test_the_assistant_stays_above_its_floors_on_the_corpus(demo_clinic):
    corpus = corpus_load()
    utterances = utterances_run(corpus.utterances)
    dialogues = dialogues_run(corpus.dialogues)
    prompts = prompts_run(corpus.utterances)
    figures = figures_compute(utterances, dialogues)
    print("\n" + report_text(figures, utterances, dialogues, prompts=prompts))  # `make eval` shows it (-s)

    # With an LLM configured, the request must carry every fact the answer needs, every one of the
    # customer's messages (so each question can be answered) and the rules: already met, held at 100 %.
    assert prompts.facts[0] == prompts.facts[1] and prompts.messages[0] == prompts.messages[1]
    assert prompts.rules[0] == prompts.rules[1]
    measured = figures.as_dict()
    below = {name: round(measured[name], 3) for name, floor in FLOORS.items() if measured[name] < floor}
    above = {name: round(measured[name], 3) for name, ceiling in CEILINGS.items() if measured[name] > ceiling}
    assert not below and not above, f"regressed: {below | above} (floors {FLOORS}, ceilings {CEILINGS})"


def test_the_held_out_set_is_measured_with_no_floors(demo_clinic):
    """Written blind, never tuned on: `make eval` prints it beside the corpus's figures, no floor asserted."""
    heldout = corpus_load(heldout=True)  # raises if an entry is malformed or also in the tuning corpus
    results = utterances_run(heldout.utterances)
    print("\n" + heldout_text(results))

    assert len(results) == len(heldout.utterances) >= 160
