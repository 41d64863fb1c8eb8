"""The 80 % and 100 % alerts: exactly once per company, period, kind and threshold.

The unique QuotaAlert row decides who sends: workers racing across a line all try to insert
it, PostgreSQL lets one through, the others get an IntegrityError and send nothing. Once the
row exists a flag in the usage hash (`alerted:<kind>:<threshold>`) spares the next increments
even that insert; a Redis wipe loses the flag, never the row.
"""

from __future__ import annotations

from datetime import date

import structlog
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from billing.metering import counters
from billing.metering.models import QuotaAlert, QuotaContact
from billing.metering.notify import alert_email, alert_whatsapp
from billing.metering.periods import period_label
from billing.metering.services import company_id_of, usage_fields_set
from secretaria.events import QuotaThresholdCrossed, publish

log = structlog.get_logger(__name__)
THRESHOLDS = (80, 100)
# How each kind reads in a sentence: "80 % das 1.000 mensagens respondidas do plano".
# What each kind is called, and its gender ("das 1.000 mensagens ... usadas", "dos 3.000 tokens ... usados").
KIND_TEXT = {
    "messages": ("mensagens respondidas", "f"),
    "ai_tokens": ("tokens de IA", "m"),
    "outreach": ("mensagens ativas (lembretes, follow-ups e campanhas)", "f"),
}


def number(value: int) -> str:
    """1000 -> "1.000" (pt-BR thousands)."""
    return f"{value:,}".replace(",", ".")


def alerts_check(*, schema: str, period: date, values: dict[str, str], deltas: dict[str, int]) -> None:
    """Raise the alerts the increments just made due (only for kinds they touched)."""
    for kind in counters.QUOTA_KINDS:
        limit = counters.limit_of(values, kind)
        if kind not in deltas or not limit:
            continue
        used = counters.used_of(values, kind)
        due = [t for t in THRESHOLDS if used * 100 >= limit * t and f"alerted:{kind}:{t}" not in values]
        for threshold in due:
            # Both lines crossed at once (a downgrade, a big AI answer): the 80 % row is recorded, so it
            # never comes later, but only the 100 % alert is sent.
            alert_raise(schema=schema, period=period, kind=kind, threshold=threshold, used=used, limit=limit,
                        send=threshold == due[-1])
            key, flag = counters.usage_key(schema=schema, period=period), f"alerted:{kind}:{threshold}"
            usage_fields_set(key, {flag: 1})


def alert_raise(*, schema: str, period: date, kind: str, threshold: int, used: int, limit: int,
                send: bool = True) -> bool:
    """Record the alert; True only for the one caller whose row went in (it then sends, on commit)."""
    company_id = company_id_of(schema)
    if company_id is None:
        return False
    try:
        with transaction.atomic():
            alert = QuotaAlert.objects.create(company_id=company_id, period_start=period, kind=kind,
                                              threshold=threshold, used=used, limit=limit)
    except IntegrityError:
        return False  # another worker crossed the same line first: it sends
    log.info("quota_alert", schema=schema, kind=kind, threshold=threshold, used=used, limit=limit, sent=send)
    if send:
        transaction.on_commit(lambda: alert_send(alert_id=alert.pk))
    return True


def alert_text(alert: QuotaAlert, company_name: str) -> tuple[str, str]:
    """(subject, body) in pt-BR."""
    what, gender = KIND_TEXT.get(alert.kind, (alert.kind, "m"))
    of_the, used = ("das", "usadas") if gender == "f" else ("dos", "usados")
    month = date_format(alert.period_start, "F \\d\\e Y").lower()  # "dezembro de 2026"
    share = f"{alert.threshold} % {of_the} {number(alert.limit)} {what} do plano"
    if alert.threshold >= 100:
        subject = f"{company_name}: {share} {used}"
        consequence = {
            "ai_tokens": "As respostas continuam pelo assistente sem IA até o fim do mês ou até mudar de plano.",
            "messages": "As respostas automáticas estão pausadas; a equipe segue respondendo pelo painel.",
        }.get(alert.kind, "Os envios continuam; o excedente pode ser cobrado conforme o plano.")
    else:
        subject = f"{company_name}: {share} já {used}"
        consequence = "Considere mudar de plano para não interromper o atendimento."
    body = (f"Olá! Em {month}, {company_name} já usou {number(alert.used)} de {number(alert.limit)} {what} "
            f"({share}).\n{consequence}")
    return subject, body


def alert_send(*, alert_id: int) -> None:
    """E-mail, WhatsApp and the domain event for one alert row; marks it sent."""
    alert = QuotaAlert.objects.select_related("company").filter(pk=alert_id, sent_at__isnull=True).first()
    if alert is None:
        return
    subject, body = alert_text(alert, alert.company.name)
    try:
        alert_email(subject=subject, body=body)
    except Exception:  # noqa: BLE001 - a mail server down must not lose the WhatsApp nor the event
        log.exception("quota_alert_email_failed", alert_id=alert_id)
    phone = QuotaContact.objects.filter(company_id=alert.company_id).values_list("whatsapp", flat=True).first()
    key = f"quota_alert:{alert.pk}"
    try:
        with transaction.atomic():
            alert_whatsapp(phone=phone or "", text=body, key=key)
    except Exception:  # noqa: BLE001 - same: the other ways still go
        log.exception("quota_alert_whatsapp_failed", alert_id=alert_id)
    publish(QuotaThresholdCrossed(company_id=alert.company_id, kind=alert.kind, threshold=alert.threshold,
                                  used=alert.used, limit=alert.limit, period=period_label(alert.period_start)))
    QuotaAlert.objects.filter(pk=alert.pk).update(sent_at=timezone.now())

