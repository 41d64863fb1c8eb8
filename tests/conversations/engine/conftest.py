"""A realistic skin clinic: its knowledge base, profile and a frozen clock (no database needed)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conversations.assistant.engine.context import EngineContext, KnowledgeData, ProfileData

SP = ZoneInfo("America/Sao_Paulo")
COMPANY = "Clínica Bella Pele"
# Monday to Friday with a lunch break, Saturday morning, closed on Sunday.
BUSINESS_HOURS = {str(day): [["08:00", "12:00"], ["13:00", "18:00"]] for day in range(5)} | {
    "5": [["08:00", "12:00"]]}


def at(year=2025, month=3, day=12, hour=10, minute=0) -> datetime:
    """São Paulo wall clock; 2025-03-12 is a Wednesday."""
    return datetime(year, month, day, hour, minute, tzinfo=SP)


def clinic_knowledge() -> list[KnowledgeData]:
    return [
        KnowledgeData("Limpeza de pele", "Limpeza profunda com extração de cravos e máscara calmante.", "service",
                      "limpeza, pele, extração, cravos", 15000, 60, id=1),
        KnowledgeData("Consulta dermatológica", "Avaliação completa da pele com a Dra. Helena.", "service",
                      "consulta, dermatologista, médico, avaliação", 35000, 30, id=2),
        KnowledgeData("Botox", "Aplicação de toxina botulínica para rugas de expressão.", "service",
                      "toxina botulínica, rugas", 120000, 40, id=3),
        KnowledgeData("Peeling químico", "Renovação da pele para manchas e acne.", "service",
                      "peeling, manchas, acne", 28000, 50, id=4),
        KnowledgeData("Endereço", "Av. Paulista, 1000, sala 52 – Bela Vista, São Paulo. Perto do metrô Trianon-Masp.",
                      "address", "endereço, onde fica, localização, como chegar", id=5),
        KnowledgeData("Estacionamento", "Temos convênio com o estacionamento do prédio: 2 horas grátis.", "faq",
                      "estacionamento, vaga, carro, valet", id=7),
        KnowledgeData("Formas de pagamento", "Aceitamos Pix, dinheiro e cartão de débito e crédito em até 3x sem "
                      "juros.", "policy", "pagamento, pix, cartão, crédito, débito, parcelamento", id=8),
        KnowledgeData("Convênios", "Atendemos apenas particular, com recibo para reembolso do seu plano.", "faq",
                      "convênio, plano de saúde, unimed, amil", id=9),
        KnowledgeData("Política de cancelamento", "Cancelamentos e remarcações sem custo com até 24 horas de "
                      "antecedência.", "policy", "cancelar, desmarcar, remarcar, multa", id=10),
        KnowledgeData("Depilação a laser", "Depilação a laser de diodo.", "service", "laser, depilação", 20000, 30,
                      is_active=False, id=11),
    ]


@pytest.fixture
def kb() -> list[KnowledgeData]:
    return clinic_knowledge()


@pytest.fixture
def profile() -> ProfileData:
    return ProfileData(assistant_name="Ana", business_hours=dict(BUSINESS_HOURS))


@pytest.fixture
def make_ctx(kb, profile):
    """An EngineContext for Maria at the clinic, Wednesday 10:00, overridable per test."""

    def make(*texts: str, **overrides) -> EngineContext:
        values = dict(company_name=COMPANY, profile=profile, knowledge=kb, contact_name="Maria Souza",
                      texts=list(texts), history=[], now=at())
        values.update(overrides)
        return EngineContext(**values)

    return make
