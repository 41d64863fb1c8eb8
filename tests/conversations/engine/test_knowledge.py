"""Knowledge-base search on a skin clinic's base: the right item, or nothing."""

import pytest

from conversations.assistant.engine.context import KnowledgeData
from conversations.assistant.engine.knowledge import (
    THRESHOLD,
    format_duration,
    format_item,
    format_price,
    parse_query,
    price_list,
    rank,
    search,
    stem,
)


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
def test_the_best_item_answers(kb, question, title):
    match = search(kb, question)
    assert match is not None and match.item.title == title
    assert THRESHOLD <= match.score <= 1


@pytest.mark.parametrize("question", [
    "quanto custa o laser?",  # the only laser item is inactive
    "quanto custa o laser de pele?",  # not the price of "limpeza de pele"
    "vocês atendem criança?",
    "qual a capital da França?",
    "oi",
    "",
])
def test_nothing_is_better_than_a_wrong_answer(kb, question):
    assert search(kb, question) is None


def test_a_specific_service_outranks_one_that_only_shares_a_word(kb):
    ranked = rank(kb, "quanto custa a limpeza de pele?")
    assert ranked[0].item.title == "Limpeza de pele"
    assert all(m.score <= ranked[0].score for m in ranked)


def test_inactive_items_are_never_found(kb):
    assert all(m.item.is_active for m in rank(kb, "depilação a laser"))


def test_unknown_words_can_be_ignored_when_the_text_is_mostly_small_talk(kb):
    assert search(kb, "quero agendar uma consulta amanhã cedo") is None
    assert search(kb, "quero agendar uma consulta amanhã cedo", ignore_unknown=True).item.id == 2


def test_items_without_id_or_kind_strings_work():
    items = [KnowledgeData("Hidratação capilar", "Hidratação com queratina.", "service", "cabelo", 9000, 45)]
    assert search(items, "quanto custa a hidratação?").item is items[0]


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


def test_format_item(kb):
    cleaning = kb[0]
    assert format_item(cleaning) == ("Limpeza de pele: R$ 150,00 · 60 min. Limpeza profunda com extração de cravos "
                                     "e máscara calmante.")
    assert format_item(kb[4]) == kb[4].answer  # an address has no price or duration
    priced_in_text = KnowledgeData("Pacote", "Três sessões por R$ 400,00.", "service", price_cents=40000)
    assert format_item(priced_in_text) == "Três sessões por R$ 400,00."


def test_price_list_shows_active_services_only(kb):
    lines = price_list(kb).splitlines()
    assert lines[0] == "• Limpeza de pele: R$ 150,00 (60 min)"
    assert len(lines) == 4 and not any("laser" in line for line in lines)
