"""A realistic skin clinic: its services, its FAQs, its profile and a frozen clock.

The engine reads no table of its own; its fixed texts (greeting, fallback, handoff notices...) are the
company's template slots (secretaria/texts.py), so each test runs in acme's schema, where none is
edited: the engine says the shipped defaults.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conversations.assistant.catalogue import CatalogueItem
from conversations.assistant.engine.context import EngineContext, KnowledgeData, ProfileData

SP = ZoneInfo("America/Sao_Paulo")
COMPANY = "Clínica Bella Pele"
# Monday to Friday with a lunch break, Saturday morning, closed on Sunday.
BUSINESS_HOURS = {str(day): [["08:00", "12:00"], ["13:00", "18:00"]] for day in range(5)} | {
    "5": [["08:00", "12:00"]]}


def at(year=2025, month=3, day=12, hour=10, minute=0) -> datetime:
    """São Paulo wall clock; 2025-03-12 is a Wednesday."""
    return datetime(year, month, day, hour, minute, tzinfo=SP)


def clinic_catalogue() -> list[CatalogueItem]:
    """The agenda's active services, as the reply pipeline passes them."""
    return [
        CatalogueItem(1, "Limpeza de pele", "Limpeza profunda com extração de cravos e máscara calmante.",
                      "limpeza, pele, extração, cravos", 15000, 60),
        CatalogueItem(2, "Consulta dermatológica", "Avaliação completa da pele com a Dra. Helena.",
                      "consulta, dermatologista, médico, avaliação", 35000, 30),
        CatalogueItem(3, "Botox", "Aplicação de toxina botulínica para rugas de expressão.",
                      "toxina botulínica, rugas", 120000, 40),
        CatalogueItem(4, "Peeling químico", "Renovação da pele para manchas e acne.",
                      "peeling, manchas, acne", 28000, 50),
    ]


def clinic_knowledge() -> list[KnowledgeData]:
    """The knowledge base: FAQs only."""
    return [
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
        KnowledgeData("Depilação a laser", "Fazemos depilação a laser de diodo por R$ 200,00 a sessão.", "faq",
                      "laser, depilação", is_active=False, id=11),
    ]


@pytest.fixture(autouse=True)
def _in_a_company(company_texts):
    return company_texts


@pytest.fixture
def kb() -> list[KnowledgeData]:
    return clinic_knowledge()


@pytest.fixture
def catalogue() -> list[CatalogueItem]:
    return clinic_catalogue()


@pytest.fixture
def facts(kb, catalogue) -> list:
    """What the engine searches: the FAQs and the services together."""
    return [*kb, *catalogue]


@pytest.fixture
def profile() -> ProfileData:
    return ProfileData(assistant_name="Ana", business_hours=dict(BUSINESS_HOURS))


@pytest.fixture
def make_ctx(kb, catalogue, profile):
    """An EngineContext for Maria at the clinic, Wednesday 10:00, overridable per test."""

    def make(*texts: str, **overrides) -> EngineContext:
        values = dict(company_name=COMPANY, profile=profile, knowledge=kb, catalogue=catalogue,
                      contact_name="Maria Souza", texts=list(texts), history=[], now=at())
        values.update(overrides)
        return EngineContext(**values)

    return make
