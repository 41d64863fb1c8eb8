"""What the offline engine understands of WhatsApp Portuguese, against the test clinic (conftest.py).

The wordings here are not the evaluation corpus's (conversations/assistant/evaluation/corpus): they
check each table of engine/data and each composing rule on another clinic's data, both ways (what
must be read, and what must not be misread).
"""

import pytest

from conversations.assistant.engine.intents import Intent, detect_intent, lgpd_kind
from conversations.assistant.engine.knowledge import search
from conversations.assistant.engine.local import compose


@pytest.mark.parametrize(("text", "intent"), [
    # confirmations, waitlist and feedback, with no reminder or follow-up waiting
    ("confirmadíssimo, estarei lá amanhã", Intent.APPOINTMENT_CONFIRM),
    ("pode contar comigo na quinta", Intent.APPOINTMENT_CONFIRM),
    ("caso abra uma vaga antes me avise", Intent.WAITLIST),
    ("me coloca na fila pra sexta", Intent.WAITLIST),
    ("adorei o atendimento de vcs", Intent.FEEDBACK),
    ("nota 8", Intent.FEEDBACK),
    ("7", Intent.FEEDBACK),
    # moving an appointment in everyday words is not a cancellation
    ("nao vou conseguir ir na terça, passa pra quarta?", Intent.APPOINTMENT_RESCHEDULE),
    ("joga minha consulta pro mes que vem", Intent.APPOINTMENT_RESCHEDULE),
    ("antecipar pra amanhã dá?", Intent.APPOINTMENT_RESCHEDULE),
    ("nao quero mais a consulta", Intent.APPOINTMENT_CANCEL),
    ("risca meu nome da agenda", Intent.APPOINTMENT_CANCEL),
    # a person, in other words
    ("alguém de carne e osso por favor", Intent.HUMAN_REQUEST),
    ("me transfere pra recepção", Intent.HUMAN_REQUEST),
    ("preciso de um humano", Intent.HUMAN_REQUEST),
    # complaints without the word "reclamação"
    ("fui mal atendida ontem", Intent.COMPLAINT),
    ("cancelaram minha sessão sem me avisar", Intent.COMPLAINT),
    ("cobraram 2 vezes no cartão", Intent.COMPLAINT),
    # questions that mention an agenda word, and questions that are not ours
    ("tem taxa se eu desmarcar?", Intent.QUESTION),
    ("tem vaga de estágio ai?", Intent.OTHER),
    ("meu cpf ta certo no cadastro?", Intent.OTHER),
    # greetings as people greet
    ("salve salve", Intent.GREETING),
    ("tchauzinho!", Intent.GOODBYE),
])
def test_intents_from_the_tables(text, intent):
    assert detect_intent(text) == intent


@pytest.mark.parametrize(("text", "kind"), [
    ("apaga tudo que vcs tem sobre mim", "erasure"),
    ("esquece meu numero", "erasure"),
    ("remove meu celular do sistema de vcs", "erasure"),
    ("quero uma copia dos meus dados", "access"),
    ("que dados vcs guardaram de mim?", "access"),
    ("chega de promoção", "opt_out"),
    ("SAIR", "opt_out"),
    ("me tira dessa lista", "opt_out"),
    ("lgpd?", None),  # LGPD, but not one of the three: a person answers
    ("quero cancelar minha consulta", None),
])
def test_lgpd_kind(text, kind):
    assert lgpd_kind(text) == kind


@pytest.mark.parametrize(("text", "title"), [
    ("vcs tratam espinha?", "Peeling químico"),  # a synonym of a keyword
    ("me passa o valor da limpeza moça", "Limpeza de pele"),  # fillers forgiven
    ("qual a politica pra desmarcar", "Política de cancelamento"),
    ("posso desmarcar em cima da hora?", "Política de cancelamento"),  # an idiom
])
def test_the_search_forgives_how_a_question_is_worded(facts, text, title):
    match = search(facts, text)
    assert match is not None and (getattr(match.item, "title", None) or match.item.name) == title


def test_unknown_words_still_count_against_a_match(facts):
    """Forgiving fillers must not make "laser" a price we have: nothing is found."""
    assert search(facts, "quanto custa o laser na testa?") is None


def test_a_filler_the_company_uses_is_not_forgiven(kb, catalogue):
    from conversations.assistant.catalogue import CatalogueItem

    services = [*catalogue, CatalogueItem(9, "Tratamento capilar", "Hidratação e corte.", "cabelo", 9000, 60)]
    match = search([*kb, *services], "quanto custa o tratamento?")
    assert match is not None and match.item.name == "Tratamento capilar"


def test_a_fact_asked_about_a_service_answers_the_fact(make_ctx):
    draft = compose(make_ctx("o convênio cobre o peeling?"))
    assert "particular" in draft.text and "R$" not in draft.text


def test_instalments_asked_about_a_service_answer_the_instalments(make_ctx):
    draft = compose(make_ctx("da pra parcelar o botox?"))
    assert "3x" in draft.text


def test_several_services_priced_in_one_answer(make_ctx):
    draft = compose(make_ctx("qual o valor da limpeza de pele e do peeling?"))
    assert "R$ 150,00" in draft.text and "R$ 280,00" in draft.text


def test_a_booking_keeps_the_questions_asked_with_it(make_ctx):
    draft = compose(make_ctx("quanto custa a limpeza de pele e tem horario sexta?"))
    assert draft.intent == Intent.APPOINTMENT_REQUEST and draft.service_id == 1
    assert "R$ 150,00" in draft.aside  # for the agenda's slot list to keep above it


def test_the_service_talked_about_carries_into_the_booking(make_ctx):
    history = [("user", "quanto ta o peeling?"), ("assistant", "Peeling químico: R$ 280,00 · 50 min.")]
    draft = compose(make_ctx("pode marcar entao", history=history))
    assert draft.intent == Intent.APPOINTMENT_REQUEST and draft.service_id == 4


def test_a_price_list_in_the_history_names_no_service(make_ctx):
    history = [("assistant", "• Limpeza de pele: R$ 150,00\n• Botox: R$ 1.200,00")]
    draft = compose(make_ctx("quero marcar", history=history))
    assert draft.service_id is None


@pytest.mark.parametrize(("text", "expected"), [
    ("meu nome é Joana", "Prazer, Joana!"),
    ("aqui é o Pedro", "Prazer, Pedro!"),
    ("queria saber uma coisa", "pode perguntar"),
    ("voltei kkk", "de volta"),
])
def test_introductions_and_lead_ins_are_welcomed_not_misunderstood(make_ctx, text, expected):
    draft = compose(make_ctx(text))
    assert expected in draft.text and not draft.low_confidence


def test_a_question_about_nothing_we_know_is_out_of_scope(make_ctx):
    draft = compose(make_ctx("vcs consertam geladeira?"))
    assert draft.intent == Intent.OTHER and draft.low_confidence and not draft.handoff


def test_negative_feedback_gets_empathy_not_thanks(make_ctx):
    draft = compose(make_ctx("não gostei do resultado da limpeza"))
    assert draft.text.startswith("Sinto muito") and "Que bom" not in draft.text


def test_every_intent_of_the_burst_is_reported(make_ctx):
    draft = compose(make_ctx("oi! quero marcar botox, aceita pix?"))
    assert {Intent.GREETING, Intent.APPOINTMENT_REQUEST, Intent.QUESTION} <= set(draft.intents)
