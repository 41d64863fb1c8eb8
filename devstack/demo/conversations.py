"""The demo company's content: a small dermatology clinic, so `make run` feels real at once.

The knowledge base holds the clinic's FAQs; its services and prices are the agenda's
(devstack/demo/agenda.py), where the assistant reads them too.
"""

from conversations.models import CompanyProfile, KnowledgeItem

BUSINESS_HOURS = {
    "0": [["08:00", "12:00"], ["13:00", "18:00"]],
    "1": [["08:00", "12:00"], ["13:00", "18:00"]],
    "2": [["08:00", "12:00"], ["13:00", "18:00"]],
    "3": [["08:00", "12:00"], ["13:00", "18:00"]],
    "4": [["08:00", "12:00"], ["13:00", "18:00"]],
    "5": [["08:00", "12:00"]],
}

KNOWLEDGE = [
    ("address", "Endereço", "Rua das Acácias, 120, sala 304 — Vila Mariana, São Paulo (SP), perto do metrô "
     "Ana Rosa.", "endereço, onde fica, localização, metrô, como chegar"),
    ("hours", "Horário de atendimento", "Segunda a sexta, das 8h às 12h e das 13h às 18h; sábado, das 8h às 12h.",
     "horário, abre, fecha, funciona, sábado"),
    ("faq", "Formas de pagamento", "Aceitamos Pix, cartões de débito e crédito (até 3x sem juros) e dinheiro.",
     "pagamento, pix, cartão, parcelar, dinheiro"),
    ("faq", "Convênios", "Atendemos Bradesco Saúde e SulAmérica para consultas; procedimentos estéticos são "
     "particulares.", "convênio, plano de saúde, bradesco, sulamérica, unimed"),
    ("faq", "Estacionamento", "Há estacionamento conveniado no prédio, com 1 hora grátis para pacientes.",
     "estacionamento, carro, vaga, parar"),
    ("policy", "Cancelamento e atrasos", "Cancelamentos com até 24h de antecedência não têm custo; atrasos acima "
     "de 15 minutos podem exigir remarcação.", "cancelar, cancelamento, atraso, remarcar"),
]


def demo_content_ensure(*, company_name: str) -> int:
    """Create the demo profile and knowledge base if missing. Returns how many items were added."""
    CompanyProfile.objects.get_or_create(singleton=1, defaults={
        "assistant_name": "Ana", "formality": CompanyProfile.Formality.NEUTRAL, "emoji": True,
        "business_hours": BUSINESS_HOURS,
        "out_of_hours_message": f"A equipe da {company_name} volta no próximo horário de atendimento.",
    })
    added = 0
    for kind, title, answer, keywords in KNOWLEDGE:
        _, created = KnowledgeItem.objects.get_or_create(title=title, defaults={
            "kind": kind, "answer": answer, "keywords": keywords})
        added += created
    return added
