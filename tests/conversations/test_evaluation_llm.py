"""The evaluation corpus against a company LLM, over real HTTP to a local OpenAI-compatible server.

What the model is sent must carry what it needs to answer as the offline engine does: every
expected fact, each of the customer's messages (several questions in one burst), the rules that
keep it honest, the configured model name, and nothing of any other customer. Kept apart from
test_evaluation.py so the main evaluation stays fast; `make eval` prints both.
"""

import httpx
import pytest
from django_tenants.utils import schema_context

from conversations.assistant.evaluation.llm_run import EVAL_MODEL, RULES, _check, _markers, _Tally, llm_corpus_run
from conversations.assistant.evaluation.loader import Utterance, corpus_load
from conversations.assistant.evaluation.openai_fake import OpenAIFake
from conversations.assistant.llm import llm_config_get
from conversations.assistant.models import LLMCall
from conversations.assistant.providers.base import ChatTurn, LLMRequest
from conversations.assistant.providers.openai import OpenAICompatibleProvider
from conversations.turns import Intent

from .test_evaluation import demo_clinic  # noqa: F401 - the demo clinic fixture, shared

# Measured 100 % on every check, held there: a fact missing from the request is one the model would
# have to invent or leave out. (Who does a service, "quem faz a limpeza de pele?", reaches the
# prompt with the catalogue's professionals.)
FLOORS = {"facts": 1.0, "messages": 1.0, "rules": 1.0, "model": 1.0}


def share(pair: tuple[int, int]) -> float:
    return pair[0] / pair[1]


@pytest.fixture(autouse=True)
def _unmetered(settings):
    """The plan's quotas off: 600 model calls would use up a free plan's AI tokens and messages, and
    a quota skips the model without a word; what is measured here is what the model is sent."""
    settings.BILLING_METERING = False


def test_the_llm_is_sent_what_it_needs_over_http_above_its_floors(demo_clinic):  # noqa: F811
    corpus = corpus_load()
    in_scope = [u for u in corpus.utterances if u.in_scope]

    with schema_context(demo_clinic.schema_name):
        coverage = llm_corpus_run(corpus.utterances, corpus.dialogues)
        config_after = llm_config_get()
        calls = LLMCall.objects.filter(model=EVAL_MODEL).count()
    print("\n" + coverage.details())  # `make eval` shows it (-s)

    # One request per in-scope utterance, each answered and accounted like a real reply; the
    # dialogues' turns that the engine does not answer itself reached the model too.
    assert coverage.requests == len(in_scope) + coverage.dialogue_requests
    assert coverage.answered == len(in_scope)
    assert coverage.dialogue_requests > 0
    assert calls == coverage.requests
    measured = {name: share(getattr(coverage, name)) for name in FLOORS}
    below = {name: value for name, value in measured.items() if value < FLOORS[name]}
    assert not below, f"below the floors {FLOORS}: {below}; {coverage.misses[:10]}"
    assert coverage.misses == ()
    assert coverage.leaks == ()
    assert config_after.provider == "local"  # the company's own configuration is back


def test_a_fact_the_clinic_does_not_have_and_a_dropped_message_are_caught(demo_clinic):  # noqa: F811
    price = Utterance(id="preco", texts=("quanto ta a limpeza de pele?",), intents=(Intent.QUESTION,),
                      in_scope=True, facts=("limpeza de pele", "R$ 9.999,00"))
    outside = Utterance(id="fora", texts=("vcs vendem carro?",), intents=(Intent.OTHER,), in_scope=False)

    with schema_context(demo_clinic.schema_name):
        coverage = llm_corpus_run([price, outside])

    assert coverage.requests == 1  # out of scope: not asked
    assert coverage.facts == (1, 2) and coverage.messages == (1, 1) and coverage.rules == (1, 1)
    assert coverage.misses == ("preco: fact 'R$ 9.999,00'",)
    assert "1 requests, facts 50.0%, customer's messages 100.0%, rules 100.0%" in coverage.line()


def test_another_customers_message_in_a_request_is_a_leak_and_a_missing_rule_is_caught():
    markers = _markers({"d:ana": ("quero remarcar minha consulta de sexta", "sim"),
                        "d:bia": ("meu filho tem alergia a dipirona", "sim")})
    clean = {"model": EVAL_MODEL, "messages": [
        {"role": "system", "content": "Regras: " + ". ".join(RULES.values())},
        {"role": "user", "content": "quero remarcar minha consulta de sexta"}]}
    mixed = {"model": "gpt-4o-mini", "messages": [
        {"role": "system", "content": "Regras: " + RULES["no invented prices"]},
        {"role": "user", "content": "meu filho tem alergia a dipirona"},
        {"role": "assistant", "content": "Anotado."},
        {"role": "user", "content": "quero remarcar minha consulta de sexta"}]}
    tally = _Tally()

    _check(tally, clean, owner="d:ana", texts=("quero remarcar minha consulta de sexta",), facts=(),
           model=EVAL_MODEL, markers=markers)
    _check(tally, mixed, owner="d:ana", texts=("quero remarcar minha consulta de sexta",), facts=(),
           model=EVAL_MODEL, markers=markers)

    assert tally.leaks == ["ana: 'meu filho tem alergia a dipirona'"]  # "sim" is anyone's word
    assert tally.rules == [1, 2] and tally.model == [1, 2] and tally.messages == [2, 2]
    assert len([m for m in tally.misses if "rule" in m]) == len(RULES) - 1


def test_the_fake_speaks_chat_completions_to_the_real_client_and_refuses_a_bad_body():
    request = LLMRequest(system="Você é a Ana.", turns=[ChatTurn("user", "oi"), ChatTurn("user", "tudo bem?")])
    with OpenAIFake(answer="Oi! Tudo ótimo.") as server, httpx.Client(timeout=5) as http:
        result = OpenAICompatibleProvider(model="modelo-local", base_url=server.url, http=http).complete(request)
        bad = http.post(f"{server.url}/chat/completions", json={"messages": []})
        lost = http.post(f"{server.url}/completions", json={"model": "x", "messages": []})
        bodies = server.take()

    assert (result.text, result.model, result.finish_reason) == ("Oi! Tudo ótimo.", "modelo-local", "stop")
    assert result.output_tokens == 3 and result.total_tokens == result.input_tokens + 3
    assert bodies == [{"model": "modelo-local", "max_tokens": 400, "temperature": 0.4, "messages": [
        {"role": "system", "content": "Você é a Ana."}, {"role": "user", "content": "oi"},
        {"role": "user", "content": "tudo bem?"}]}]
    assert bad.status_code == 400 and set(bad.json()["error"]) == {"message", "type", "param", "code"}
    assert lost.status_code == 404
