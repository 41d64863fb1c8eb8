"""Intents in Portuguese: what the customer wants, with greetings split off."""

import pytest

from conversations.assistant.engine.intents import Intent, detect_intent, detect_intents, is_greeting, primary_intent
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


@pytest.mark.parametrize(("text", "intent"), [
    # internet Portuguese, stretched letters and typos read as the standard words
    ("oiii vc tem horario amnh?", Intent.APPOINTMENT_REQUEST),
    ("qro agnd uma limpeza", Intent.APPOINTMENT_REQUEST),
    ("boa tardeee, queria marca uma cnsulta", Intent.APPOINTMENT_REQUEST),
    ("presiso cancelr minha sessao", Intent.APPOINTMENT_CANCEL),
    ("da pra reagndar?", Intent.APPOINTMENT_RESCHEDULE),
    ("vlw msm", Intent.THANKS),
    ("obgd 🙏", Intent.THANKS),
    ("🙏", Intent.THANKS),
    ("flw, ate mais", Intent.GOODBYE),
    # price slang
    ("ta quanto a hidratacao", Intent.QUESTION),
    ("e o botox sai quanto", Intent.QUESTION),
    ("qual o investimento pra limpeza?", Intent.QUESTION),
    ("quanto q fica a sessão", Intent.QUESTION),
    # getting there, what the company does
    ("é perto de onde", Intent.QUESTION),
    ("como eu chego ai de onibus", Intent.QUESTION),
    ("tem onde estacionar", Intent.QUESTION),
    ("oq vcs fazem ai", Intent.QUESTION),
    ("o que voces fazem?", Intent.QUESTION),
    # a person, in other words
    ("quero falar com gente e nao com robo", Intent.HUMAN_REQUEST),
    ("tem alguem de verdade ai?", Intent.HUMAN_REQUEST),
    ("me passa pra uma pessoa por favor", Intent.HUMAN_REQUEST),
    ("chama um atendente", Intent.HUMAN_REQUEST),
    ("vc é robô? quero um ser humano", Intent.HUMAN_REQUEST),
    ("preciso de uma pessoa real pra resolver", Intent.HUMAN_REQUEST),
    # LGPD: access, copy, deletion, opt-out
    ("o que vcs guardam sobre mim?", Intent.LGPD_REQUEST),
    ("quais informações vocês tem de mim", Intent.LGPD_REQUEST),
    ("me manda uma cópia dos meus dados", Intent.LGPD_REQUEST),
    ("apaga meu cadastro", Intent.LGPD_REQUEST),
    ("me tira dessa lista", Intent.LGPD_REQUEST),
    ("nao quero mais receber mensagem de vcs", Intent.LGPD_REQUEST),
    ("não quero mais receber", Intent.LGPD_REQUEST),
    ("PARAR", Intent.LGPD_REQUEST),
    ("sair", Intent.LGPD_REQUEST),
    ("para de me mandar msg", Intent.LGPD_REQUEST),
    ("quero me descadastrar", Intent.LGPD_REQUEST),
])
def test_detect_intent_as_customers_write(text, intent):
    assert detect_intent(text) == intent


@pytest.mark.parametrize(("text", "intent"), [
    ("vcs atendem sabado?", Intent.QUESTION),  # "atender" is not "atendente"
    ("oi pessoal", Intent.GREETING),  # "pessoal" is not a person
    ("vou sair mais cedo do trabalho, tem horario as 18h?", Intent.APPOINTMENT_REQUEST),
    ("para de manha tem horario?", Intent.APPOINTMENT_REQUEST),
    ("a gente pode ir junto?", Intent.QUESTION),
])
def test_lookalikes_keep_their_intent(text, intent):
    assert detect_intent(text) == intent


@pytest.mark.parametrize(("text", "intents"), [
    ("quero marcar uma limpeza, e quanto custa?", [Intent.APPOINTMENT_REQUEST, Intent.QUESTION]),
    ("qnto sai o botox? ai ja agendo", [Intent.QUESTION, Intent.APPOINTMENT_REQUEST]),
    ("oi! quanto custa e aceita pix?", [Intent.GREETING, Intent.QUESTION]),
    ("cancela minha consulta, obg", [Intent.APPOINTMENT_CANCEL, Intent.THANKS]),
    ("tem horario amanha?", [Intent.APPOINTMENT_REQUEST]),  # the "?" belongs to the booking
    ("quero cancelar a inscrição", [Intent.LGPD_REQUEST]),  # not also a cancellation
    ("bom dia", [Intent.GREETING]),
    ("hidratação", [Intent.OTHER]),
])
def test_detect_intents_lists_every_intent_in_order(text, intents):
    assert detect_intents(text) == intents


def test_detect_intents_agrees_with_the_primary_intent():
    for text in ("oi, quero falar com alguem, nao consigo marcar", "remarca pra sexta? vlw"):
        assert primary_intent(detect_intents(text)) == primary_intent([detect_intent(text)])
