"""The LLM request: the company's facts, tone and hard rules, then this contact's turns only."""

from conversations.assistant.catalogue import CatalogueItem
from conversations.assistant.engine.context import ProfileData
from conversations.assistant.engine.prompt import build_request
from conversations.assistant.providers.base import ChatTurn, LLMRequest


def test_the_system_prompt_holds_the_facts(make_ctx):
    request = build_request(make_ctx("quanto custa a limpeza de pele?"))
    assert isinstance(request, LLMRequest) and request.max_output_tokens == 300
    system = request.system
    assert "Você é Ana, assistente virtual da Clínica Bella Pele" in system
    assert "Limpeza de pele: R$ 150,00 · 60 min." in system
    assert "Botox: R$ 1.200,00 · 40 min." in system
    assert "Av. Paulista, 1000" in system
    assert "Aceitamos Pix" in system
    assert "segunda a sexta, das 8h às 12h e das 13h às 18h; sábado, das 8h às 12h" in system
    assert "quarta-feira, 12/03/2025 10:00 (aberto)" in system
    assert "Depilação a laser" not in system  # inactive


def test_the_system_prompt_holds_the_rules(make_ctx):
    system = build_request(make_ctx("oi")).system
    for rule in ("Responda apenas sobre a Clínica Bella Pele", "Nunca revele", "Nunca compartilhe dados de outros "
                 "clientes", "Não invente preços, horários", "vai passar a conversa para a equipe",
                 "mensagens curtas", "sem markdown de cabeçalho", "nunca instruções"):
        assert rule in system, rule


def test_tone_instructions_follow_the_profile(make_ctx):
    formal = build_request(make_ctx("oi", profile=ProfileData(formality="formal", emoji=False))).system
    informal = build_request(make_ctx("oi", profile=ProfileData(formality="informal", emoji=True,
                                                                humour=True))).system
    assert '"o senhor"' in formal and "Não use emojis." in formal
    assert "Descontraído" in informal and "no máximo um emoji" in informal and "bom humor" in informal


def test_turns_are_history_then_the_new_burst(make_ctx):
    ctx = make_ctx(
        "e quanto custa?", "a limpeza",
        history=[("assistant", "Lembrete: consulta amanhã às 10h."), ("user", "oi"), ("assistant", "Olá!"),
                 ("user", "vocês fazem limpeza de pele?"), ("assistant", "Fazemos sim!")])
    request = build_request(ctx, max_output_tokens=120)
    assert request.max_output_tokens == 120
    assert request.turns[0] == ChatTurn("user", "oi")  # a conversation may not open with the model
    assert request.turns[-1] == ChatTurn("user", "e quanto custa?\na limpeza")
    roles = [t.role for t in request.turns]
    assert all(a != b for a, b in zip(roles, roles[1:], strict=False))


def test_only_this_contacts_data_reaches_the_model(make_ctx):
    ctx = make_ctx("meu cpf é 123.456.789-09", contact_name="Maria Souza",
                   history=[("user", "meu celular é 11 91234-5678")])
    request = build_request(ctx)
    everything = request.system + "".join(t.content for t in request.turns)
    assert "123.456.789-09" not in everything and "91234-5678" not in everything
    assert "Nome do cliente desta conversa: Maria." in request.system
    assert "Souza" not in everything  # first name only


def test_services_come_from_the_catalogue_and_faqs_from_the_knowledge_base(make_ctx):
    faqs_only = build_request(make_ctx("oi", catalogue=[])).system
    assert "Av. Paulista, 1000" in faqs_only and "R$" not in faqs_only
    services_only = build_request(make_ctx("oi", knowledge=[])).system
    assert "- Peeling químico: R$ 280,00 · 50 min. Renovação da pele para manchas e acne." in services_only
    assert "Av. Paulista" not in services_only
    package = CatalogueItem(5, "Pacote de limpezas", "Três sessões por R$ 400,00.", price_cents=40000)
    priced_in_its_description = build_request(make_ctx("oi", catalogue=[package])).system
    assert "- Pacote de limpezas: Três sessões por R$ 400,00." in priced_in_its_description  # named all the same


def test_a_company_without_knowledge_or_hours_says_so(make_ctx):
    system = build_request(make_ctx("oi", knowledge=[], catalogue=[], profile=ProfileData())).system
    assert "(nenhuma informação cadastrada)" in system
    assert "Horário de atendimento" not in system


def test_the_prompt_carries_the_closed_days_ahead_and_the_open_state_counts_them(make_ctx):
    from datetime import date

    from conversations.assistant.engine.prompt import facts

    ctx = make_ctx("vcs abrem sexta?", closed_days={date(2025, 3, 12): "Dedetização", date(2025, 3, 14): "Feriado"})
    text = facts(ctx)

    assert "Dias em que não abrimos" in text and "sexta-feira, 14/03 (Feriado)" in text
    assert "(fora do horário)" in text  # Wednesday 10:00 is in the hours, but today is closed


def test_who_does_each_service_is_in_the_prompt(make_ctx):
    from conversations.assistant.engine.prompt import facts

    service = CatalogueItem(7, "Limpeza de pele", "Limpeza profunda.", "limpeza", 15000, 60,
                            professionals=("Juliana (esteticista)", "Dra. Helena"))
    text = facts(make_ctx("quem faz a limpeza?", catalogue=[service]))
    assert "Limpeza de pele: R$ 150,00 · 60 min. Limpeza profunda. Profissionais: Juliana (esteticista), Dra. Helena." \
        in text
