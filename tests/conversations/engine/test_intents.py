"""Intents in Portuguese: what the customer wants, with greetings split off."""

import pytest

from conversations.assistant.engine.intents import Intent, detect_intent, is_greeting, primary_intent
from secretaria.ptbr import fold


def test_normalise_drops_accents_case_and_extra_spaces():
    assert fold("  Olá,   BOM   dia! Ação ") == "ola, bom dia! acao"


@pytest.mark.parametrize(("text", "intent"), [
    ("Oi, bom dia!", Intent.GREETING),
    ("oi ana, tudo bem?", Intent.GREETING),
    ("Boa tarde", Intent.GREETING),
    ("Oi, quanto custa a limpeza de pele?", Intent.QUESTION),
    ("Oi tudo bem? Queria saber o preço do botox", Intent.QUESTION),
    ("oi, hidratação capilar amanhã cedo", Intent.OTHER),
    ("Qual o horário de funcionamento?", Intent.QUESTION),
    ("quanto custa a consulta?", Intent.QUESTION),
    ("qual a política de cancelamento?", Intent.QUESTION),
    ("tem vaga pra carro?", Intent.QUESTION),
    ("vocês aceitam pix", Intent.QUESTION),
    ("queria marcar um horário amanhã", Intent.APPOINTMENT_REQUEST),
    ("tem horário livre sábado?", Intent.APPOINTMENT_REQUEST),
    ("quero uma avaliação", Intent.APPOINTMENT_REQUEST),
    ("preciso remarcar minha sessão", Intent.APPOINTMENT_RESCHEDULE),
    ("dá pra trocar o horário?", Intent.APPOINTMENT_RESCHEDULE),
    ("quero cancelar a consulta de amanhã, obrigada", Intent.APPOINTMENT_CANCEL),
    ("não vou poder ir amanhã", Intent.APPOINTMENT_CANCEL),
    ("Quero falar com um atendente", Intent.HUMAN_REQUEST),
    ("posso falar com alguém?", Intent.HUMAN_REQUEST),
    ("não quero falar com robô", Intent.HUMAN_REQUEST),
    ("O atendimento foi péssimo", Intent.COMPLAINT),
    ("estou muito insatisfeita, vou no Reclame Aqui", Intent.COMPLAINT),
    ("Obrigada!", Intent.THANKS),
    ("valeu", Intent.THANKS),
    ("tchau, até mais", Intent.GOODBYE),
    ("quero apagar meus dados", Intent.LGPD_REQUEST),
    ("quais dados vocês tem sobre mim? LGPD", Intent.LGPD_REQUEST),
    ("hidratação", Intent.OTHER),
    ("ok", Intent.OTHER),
])
def test_detect_intent(text, intent):
    assert detect_intent(text) == intent


def test_a_greeting_with_a_request_is_the_request_and_still_a_greeting():
    assert detect_intent("Oi! Cancelar, por favor") == Intent.APPOINTMENT_CANCEL
    assert is_greeting("Oi! Cancelar, por favor")
    assert not is_greeting("quanto custa?")


def test_the_most_important_intent_of_a_burst_decides():
    assert primary_intent([Intent.GREETING, Intent.QUESTION]) == Intent.QUESTION
    assert primary_intent([Intent.THANKS, Intent.HUMAN_REQUEST]) == Intent.HUMAN_REQUEST
    assert primary_intent([Intent.APPOINTMENT_REQUEST, Intent.COMPLAINT]) == Intent.COMPLAINT
    assert primary_intent([]) == Intent.OTHER
