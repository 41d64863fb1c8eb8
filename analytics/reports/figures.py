"""The catalogue of report figures: one entry per figure, its stable key, pt-BR label and kind.

The keys are the contract with every reader (the API, the exports, the Prometheus gauges): a key
never changes meaning; a new figure is a new entry. `kind` says how to show a value:

- count: a whole number;
- ratio: a share between 0 and 1 (0.25 is 25 %);
- seconds: a duration in seconds;
- brl_cents: money in centavos (R$ 1,00 is 100);
- score: a grade (follow-up average 0–10, NPS -100..100).

A figure that cannot be computed (no conversation to time, no booking to divide by) is None,
shown as "sem dados"; counts are 0. Nothing divides by zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from analytics.reports.parts import empty_parts, figures_from_parts


class Kind(StrEnum):
    COUNT = "count"
    RATIO = "ratio"
    SECONDS = "seconds"
    BRL_CENTS = "brl_cents"
    SCORE = "score"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: Kind
    help: str = ""


NO_DATA = "sem dados"

FIGURES: tuple[Figure, ...] = (
    Figure("messages_in", "Mensagens recebidas", Kind.COUNT),
    Figure("messages_out", "Mensagens enviadas", Kind.COUNT, "Respostas, mensagens da equipe e avisos."),
    Figure("conversations_opened", "Conversas iniciadas", Kind.COUNT),
    Figure("contacts_unique", "Contatos únicos", Kind.COUNT, "Clientes que escreveram no período."),
    Figure("contacts_new", "Contatos novos", Kind.COUNT, "Escreveram pela primeira vez no período."),
    Figure("contacts_returning", "Contatos recorrentes", Kind.COUNT, "Já tinham escrito antes do período."),
    Figure("first_reply_p50_s", "Primeira resposta (mediana)", Kind.SECONDS,
           "Da primeira mensagem do cliente à nossa primeira resposta chegar ao WhatsApp."),
    Figure("first_reply_p90_s", "Primeira resposta (90 %)", Kind.SECONDS),
    Figure("handoffs", "Transferências para a equipe", Kind.COUNT),
    Figure("handoff_rate", "Taxa de transferência", Kind.RATIO, "Transferências por conversa iniciada."),
    Figure("staff_response_p50_s", "Resposta da equipe (mediana)", Kind.SECONDS,
           "Da transferência à primeira mensagem de uma pessoa da equipe."),
    Figure("bookings", "Agendamentos", Kind.COUNT, "Novos agendamentos (remarcações à parte)."),
    Figure("bookings_chat", "Agendamentos pela conversa", Kind.COUNT),
    Figure("bookings_panel", "Agendamentos pelo painel", Kind.COUNT),
    Figure("bookings_api", "Agendamentos pela API", Kind.COUNT),
    Figure("bookings_calcom", "Agendamentos pelo Cal.com", Kind.COUNT),
    Figure("bookings_waitlist", "Agendamentos da lista de espera", Kind.COUNT),
    Figure("reschedules", "Remarcações", Kind.COUNT),
    Figure("cancellations", "Cancelamentos", Kind.COUNT),
    Figure("attendances", "Comparecimentos", Kind.COUNT, "Atendimentos do período em que o cliente veio."),
    Figure("no_shows", "Faltas", Kind.COUNT),
    Figure("no_show_rate", "Taxa de faltas", Kind.RATIO, "Faltas sobre atendimentos com resultado conhecido."),
    Figure("followup_score_avg", "Nota média do pós-atendimento", Kind.SCORE, "De 0 a 10."),
    Figure("nps", "NPS", Kind.SCORE, "% de promotores (9–10) menos % de detratores (0–6)."),
    Figure("ai_tokens", "Tokens de IA", Kind.COUNT),
    Figure("ai_cost_cents", "Custo de IA", Kind.BRL_CENTS),
    Figure("cost_per_booking_cents", "Custo de IA por agendamento", Kind.BRL_CENTS),
    Figure("quota_messages_ratio", "Cota de mensagens usada", Kind.RATIO, "No mês, até o fim do período."),
    Figure("quota_ai_tokens_ratio", "Cota de tokens de IA usada", Kind.RATIO),
    Figure("quota_outreach_ratio", "Cota de lembretes e avisos usada", Kind.RATIO),
    # The funnel's daily steps, for the history and the gauges (the breakdowns are report_funnel's).
    Figure("booking_intents", "Conversas com intenção de agendar", Kind.COUNT),
    Figure("slots_offered", "Conversas com horários oferecidos", Kind.COUNT),
    Figure("reminders_sent", "Lembretes enviados", Kind.COUNT),
    Figure("reminders_answered", "Lembretes respondidos", Kind.COUNT),
    Figure("reminders_confirmed", "Lembretes confirmados", Kind.COUNT),
)

BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}
KEYS: tuple[str, ...] = tuple(BY_KEY)


def empty_figures() -> dict[str, int | float | None]:
    """Every figure of a period with no data: counts (and the AI cost) 0, the rest None ("sem dados")."""
    return figures_from_parts(empty_parts())


def label(key: str) -> str:
    return BY_KEY[key].label
