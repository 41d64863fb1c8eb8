"""The figures behind a recommendation (its `evidence`, what accepting it did), as staff read them in the admin.

The daily runs keep them as JSON with code names ({"weekday": 1, "no_shows": 7, "rate": 0.35}); the
admin shows "dia da semana: terça · faltas: 7 · taxa: 35 %". A key without a label reads with spaces.
"""

from collections.abc import Callable
from datetime import date, datetime

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from billing.models import SubscriptionStatus
from secretaria.panel.formats import when
from secretaria.ptbr import WEEKDAY_NAMES

LABELS = {
    # company recommendations (analytics/recommendations/rules.py)
    "days": "dias", "count": "quantidade", "contact_ids": "contatos (nº)", "oldest_visit": "visita mais antiga",
    "weekday": "dia da semana", "hour": "hora", "total": "agendamentos", "no_shows": "faltas", "rate": "taxa",
    "window_days": "período (dias)", "sla_minutes": "prazo para a equipe (min)", "conversation_ids": "conversas (nº)",
    "oldest_since": "esperando desde", "oldest_minutes": "espera da mais antiga (min)", "service_id": "serviço (nº)",
    "service": "serviço", "asked_contacts": "clientes que perguntaram", "bookings": "agendamentos",
    # what accepting one did (analytics/recommendations/actions.py)
    "queued": "mensagens na fila", "already_queued": "já estavam na fila", "opted_out": "não recebem mensagens",
    "planned": "lembretes extras planejados", "appointments": "agendamentos",
    # the platform's readings (analytics/platform/readings.py)
    "week": "última semana", "previous_week": "semana anterior", "from": "de", "to": "até",
    "messages": "mensagens respondidas", "handoffs": "transferências para atendente",
    "failed_payments_30d": "pagamentos recusados (30 dias)", "subscription_status": "situação da assinatura",
    "day": "dia", "kind": "cota", "limit": "limite do plano", "plan": "plano", "periods": "meses", "period": "mês",
    "ratio": "uso do limite",
}
QUOTAS = {"messages": "mensagens respondidas", "ai_tokens": "tokens de IA", "outreach": "mensagens ativas"}


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.0f} %"


VALUES: dict[str, Callable[[object], str]] = {
    "weekday": lambda n: WEEKDAY_NAMES[n], "hour": lambda h: f"{h}h", "rate": _percent, "ratio": _percent,
    "kind": lambda k: QUOTAS.get(k, k),
    "subscription_status": lambda s: SubscriptionStatus(s).label.lower() if s in SubscriptionStatus.values else "—",
}


def figures_html(data: dict | list | None) -> SafeString | str:
    """The figures as a nested list, each value in words; "—" when there are none."""
    if not data:
        return "—"
    return _html(data)


def _html(data) -> SafeString:
    if isinstance(data, dict):
        items = ((LABELS.get(key, key.replace("_", " ")), _value(key, value)) for key, value in data.items())
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", items))
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((_value("", item),) for item in data)))


def _value(key: str, value) -> SafeString | str:
    if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict) for v in value)):
        return _html(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "sim" if value else "não"
    if key in VALUES:
        return VALUES[key](value)
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return _moment(value) if isinstance(value, str) else str(value)


def _moment(text: str) -> str:
    """An ISO date or time as Brazilians write it, in the company's zone; any other text as it is."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if len(text) == 10:
        return f"{date.fromisoformat(text):%d/%m/%Y}"
    return when(moment) if timezone.is_aware(moment) else f"{moment:%d/%m/%Y %H:%M}"
