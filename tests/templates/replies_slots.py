"""A small catalogue of slots for the reply templates' API and admin tests (test_replies_api.py,
test_replies_admin.py): the catalogue's data directory points at these for the test, so the tests
do not depend on the wording of the shipped slots, which other parts of the product own.
"""

import pytest

from templates.replies import catalogue

SLOTS_TOML = """
[saudacao_teste]
label = "Saudação (teste)"
moment = "Atendimento"
help = "As primeiras palavras para um contato novo."
variables = ["nome", "empresa"]
text = "Olá, {nome}! Aqui é a {empresa}. Como posso ajudar?\\n---\\nOi, {nome}! Que bom falar com você."
[saudacao_teste.variants]
formal = "Bom dia, {nome}. Aqui é a {empresa}; em que posso ajudar?"
chateado = "Sinto muito pelo transtorno, {nome}. Vamos resolver."

[confirmacao_teste]
label = "Confirmação do agendamento (teste)"
moment = "Agenda"
help = "Enviada quando o cliente confirma um horário."
variables = ["nome", "servico", "profissional", "data", "hora", "endereco", "horarios"]
samples = { horarios = "09:00, 10:30" }
text = "Prontinho, {nome}! {servico} com {profissional}, {data} às {hora}, em {endereco}. Outros: {horarios}."

[aviso_sem_variaveis_teste]
label = "Aviso sem variáveis (teste)"
moment = "Agenda"
text = "Estamos fora do horário; respondemos amanhã cedo. Use {{chaves}} à vontade."
"""
SLOTS = ["saudacao_teste", "confirmacao_teste", "aviso_sem_variaveis_teste"]


@pytest.fixture
def test_slots(tmp_path, monkeypatch):
    """The catalogue is this module's slots for the test (read again before and after)."""
    (tmp_path / "teste.toml").write_text(SLOTS_TOML, encoding="utf-8")
    monkeypatch.setattr(catalogue, "SLOTS_DIR", tmp_path)
    catalogue.slots.cache_clear()
    yield catalogue.slots()
    monkeypatch.undo()
    catalogue.slots.cache_clear()
