"""The AI calls page: each call's cost in reais from billing's price table, totals that follow the
filters, headers in pt-BR."""

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from billing.metering.prices import cost_pico_brl
from conversations.admin_settings.fields import brl_small
from conversations.assistant.models import LLMCall
from tests.panel.settings.conftest import staff

PAGE = "/admin/conversations/llmcall/"


def calls(acme):
    with schema_context("acme"):
        LLMCall.objects.all().delete()
        LLMCall.objects.create(provider="openai", model="gpt-4o-mini", input_tokens=1_000_000, output_tokens=500_000,
                               latency_ms=1200, outcome="ok")
        LLMCall.objects.create(provider="gemini", model="gemini-2.0-flash", input_tokens=400, output_tokens=100,
                               latency_ms=800, outcome="ok")
        LLMCall.objects.create(provider="openai", model="gpt-4o-mini", outcome="breaker_open")


def test_each_call_shows_its_cost_and_the_totals_add_up(acme, settings):
    settings.BILLING_USD_BRL = 5.0
    calls(acme)

    html = staff(acme, "manager").get(PAGE).content.decode()

    # gpt-4o-mini: 1M prompt tokens x US$ 0.15 + 0.5M x US$ 0.60 = US$ 0.45 = R$ 2,25
    assert "R$ 2,25" in html
    small = brl_small(cost_pico_brl(model="gemini-2.0-flash", input_tokens=400, output_tokens=100))
    assert small == "R$ 0,0004" and small in html  # 400 x 0.10 + 100 x 0.40 per 1M = US$ 0.00008
    assert 'data-llm-total-cost>R$ 2,25<' in html
    for header in ("Quando", "Provedor", "Modelo", "Resultado", "Tokens de entrada", "Tokens de saída",
                   "Tempo de resposta", "Custo (R$)"):
        assert f">{header}<" in html
    assert "IA pausada após falhas" in html and "1,2 s" in html


def test_the_totals_follow_the_filters(acme, settings):
    settings.BILLING_USD_BRL = 5.0
    calls(acme)

    html = staff(acme, "manager").get(f"{PAGE}?provider=gemini").content.decode()

    assert 'data-llm-total-cost>R$ 0,0004<' in html


def test_the_hub_card_says_this_months_cost(acme, settings):
    settings.BILLING_USD_BRL = 5.0
    calls(acme)
    with schema_context("acme"):
        LLMCall.objects.filter(provider="gemini").update(created_at=timezone.now() - timedelta(days=40))

    html = staff(acme, "manager").get("/admin/settings/").content.decode()

    assert "Este mês: R$ 2,25 em 2 chamada(s)" in html
