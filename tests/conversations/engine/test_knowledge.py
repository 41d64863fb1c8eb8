"""Search over a skin clinic's FAQs and services: the right item, or nothing."""

import pytest

from conversations.assistant.catalogue import CatalogueItem, services_named
from conversations.assistant.engine.knowledge import (
    THRESHOLD,
    format_duration,
    format_item,
    format_price,
    format_service,
    parse_query,
    price_list,
    rank,
    search,
    stem,
)


def _title(item) -> str:
    return item.name if isinstance(item, CatalogueItem) else item.title


@pytest.mark.parametrize(("question", "title"), [
    ("quanto custa a limpeza de pele?", "Limpeza de pele"),
    ("Qual o valor da consulta?", "Consulta dermatológica"),
    ("preço do botox", "Botox"),
    ("vocês fazem peeling?", "Peeling químico"),
    ("e pra manchas?", "Peeling químico"),
    ("qual o preço da limpeza de pele pra minha filha de 15 anos?", "Limpeza de pele"),
    ("onde fica?", "Endereço"),
    ("qual o endereço de vocês?", "Endereço"),
    ("como chego aí?", "Endereço"),
    ("Onde fica a clínica?", "Endereço"),
    ("tem estacionamento?", "Estacionamento"),
    ("tem vaga pra carro?", "Estacionamento"),
    ("aceita cartão?", "Formas de pagamento"),
    ("parcela no cartão?", "Formas de pagamento"),
    ("dá pra pagar com pix?", "Formas de pagamento"),
    ("atende unimed?", "Convênios"),
    ("vocês aceitam plano de saúde?", "Convênios"),
    ("tem multa se eu desmarcar?", "Política de cancelamento"),
    ("quanto tempo dura o botox?", "Botox"),
    ("INFORMAÇÕES SOBRE LIMPEZA DE PELE", "Limpeza de pele"),
])
def test_the_best_item_answers(facts, question, title):
    match = search(facts, question)
    assert match is not None and _title(match.item) == title
    assert THRESHOLD <= match.score <= 1


@pytest.mark.parametrize("question", [
    "quanto custa o laser?",  # no laser service; the laser FAQ is inactive
    "quanto custa o laser de pele?",  # not the price of "limpeza de pele"
    "vocês atendem criança?",
    "qual a capital da França?",
    "oi",
    "",
])
def test_nothing_is_better_than_a_wrong_answer(facts, question):
    assert search(facts, question) is None


def test_a_specific_service_outranks_one_that_only_shares_a_word(facts):
    ranked = rank(facts, "quanto custa a limpeza de pele?")
    assert ranked[0].item.name == "Limpeza de pele"
    assert all(m.score <= ranked[0].score for m in ranked)


def test_inactive_items_are_never_found(kb):
    assert rank(kb, "depilação a laser") == []


def test_unknown_words_can_be_ignored_when_the_text_is_mostly_small_talk(facts):
    assert search(facts, "quero agendar uma consulta amanhã cedo") is None
    assert search(facts, "quero agendar uma consulta amanhã cedo", ignore_unknown=True).item.id == 2


def test_a_service_is_found_by_its_description_and_without_an_id():
    services = [CatalogueItem(None, "Hidratação capilar", "Hidratação com queratina.", "cabelo", 9000, 45)]
    assert search(services, "quanto custa a hidratação?").item is services[0]
    assert search(services, "queratina?").item is services[0]  # the description is searched too


def test_the_faqs_alone_never_quote_a_price(kb):
    assert search(kb, "quanto custa a limpeza de pele?") is None


def test_query_concepts_replace_the_words_that_named_them():
    query = parse_query("Quanto custa a limpeza de pele?")
    assert query.concepts == {"price"}
    assert query.tokens == {stem("limpeza"), stem("pele")}
    assert parse_query("onde fica?").concepts == {"address"}
    assert parse_query("que horas vocês abrem?").concepts == {"hours"}
    assert parse_query("como funciona o peeling?").concepts == frozenset()


def test_stemming_joins_plurals_and_verb_forms():
    assert stem("informações") != "informações"
    assert stem("cartoes") == stem("cartao")
    assert stem("manchas") == stem("mancha")
    assert stem("aceitamos") == stem("aceita")
    assert stem("estacionamento") == stem("estacionar")


def test_format_price_and_duration():
    assert format_price(15000) == "R$ 150,00"
    assert format_price(120050) == "R$ 1.200,50"
    assert format_price(990) == "R$ 9,90"
    assert format_price(None) == ""
    assert format_duration(50) == "50 min"
    assert format_duration(None) == ""


def test_format_item(kb, catalogue):
    cleaning, address = catalogue[0], kb[0]
    assert format_item(cleaning) == ("Limpeza de pele: R$ 150,00 · 60 min. Limpeza profunda com extração de cravos "
                                     "e máscara calmante.")
    assert format_item(address) == address.answer  # a FAQ has no price or duration


def test_format_service_quotes_what_the_catalogue_knows():
    assert format_service(CatalogueItem(1, "Botox", price_cents=120000, duration_minutes=40)) == (
        "Botox: R$ 1.200,00 · 40 min.")
    priced_in_text = CatalogueItem(2, "Pacote", "Três sessões por R$ 400,00.", price_cents=40000)
    assert format_service(priced_in_text) == "Três sessões por R$ 400,00."
    assert format_service(CatalogueItem(3, "Avaliação", "Sem custo.")) == "Sem custo."


def test_price_list_shows_the_services_with_a_price(catalogue):
    unpriced = CatalogueItem(9, "Retorno", "Revisão do tratamento.", duration_minutes=20)
    lines = price_list([*catalogue, unpriced]).splitlines()
    assert lines == ["• Limpeza de pele: R$ 150,00 (60 min)", "• Consulta dermatológica: R$ 350,00 (30 min)",
                     "• Botox: R$ 1.200,00 (40 min)", "• Peeling químico: R$ 280,00 (50 min)"]


@pytest.mark.parametrize(("question", "title"), [
    # typos of the company's own words (COMPANY_CUTOFF) and internet spellings
    ("qto custa a limpesa de pele?", "Limpeza de pele"),
    ("vcs fazem pelling?", "Peeling químico"),
    ("e o bottox, qnto eh?", "Botox"),
    ("vlr da cnsulta", "Consulta dermatológica"),
    # price slang
    ("ta quanto a limpeza de pele?", "Limpeza de pele"),
    ("o peeling sai quanto?", "Peeling químico"),
    ("qual o investimento do botox", "Botox"),
    # getting there
    ("é perto de onde?", "Endereço"),
    ("como eu chego ai?", "Endereço"),
    ("fica em q bairro?", "Endereço"),
    ("onde eu deixo o carro?", "Estacionamento"),
    ("tem estacionamentu?", "Estacionamento"),
    ("aceitam cartao de credito?", "Formas de pagamento"),
])
def test_the_best_item_answers_as_customers_write(facts, question, title):
    match = search(facts, question)
    assert match is not None and _title(match.item) == title


@pytest.mark.parametrize("question", [
    "qto custa o lazer?",  # no such service, whatever the spelling
    "e as marcas de acne?",  # "marcas" is not "manchas" (77)
    "vcs fazem tatuagem?",
    "qual o investimento do laser?",
])
def test_near_misses_do_not_reach_unrelated_items(facts, question):
    match = search(facts, question)
    assert match is None or _title(match.item) == "Peeling químico" and "acne" in question


def test_the_services_question_is_a_concept_of_its_own():
    assert "services" in parse_query("oq vcs fazem ai?").concepts
    assert "services" in parse_query("quais os procedimentos que vocês tem?").concepts
    assert "address" in parse_query("é perto de onde?").concepts
    assert "price" in parse_query("tá quanto?").concepts


@pytest.mark.parametrize(("text", "name"), [
    ("quero agnd uma limpesa de pele pra sexta", "Limpeza de pele"),
    ("vou fazer o bottox semana q vem", "Botox"),
    ("tem horario pro pelling?", "Peeling químico"),
    ("preciso de um dermatologista", "Consulta dermatológica"),
    ("toxina botulinica quanto sai", "Botox"),
])
def test_services_named_finds_the_service_despite_typos(catalogue, text, name):
    assert services_named(catalogue, text)[0].name == name


@pytest.mark.parametrize("text", ["quero agendar", "tem laser?", "faz unha?", "quero marcar uma tatuagem", ""])
def test_services_named_is_empty_when_no_service_is_named(catalogue, text):
    assert services_named(catalogue, text) == []
