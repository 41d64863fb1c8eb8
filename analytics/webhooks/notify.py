"""Telling the company's owners that one of their webhooks was disabled (Django's mail, like quota alerts)."""

from __future__ import annotations

import structlog
from django.conf import settings
from django.core.mail import send_mail
from django_tenants.utils import schema_context

from accounts.roles import Role
from accounts.selectors import user_list
from analytics.webhooks.models import WebhookEndpoint
from tenants.models import Company

log = structlog.get_logger(__name__)


def disabled_text(*, endpoint: WebhookEndpoint, company_name: str) -> tuple[str, str]:
    """(subject, body) in pt-BR."""
    subject = f"{company_name}: webhook desativado ({endpoint.description or endpoint.url})"
    body = (f"Olá! O webhook {endpoint.url} da {company_name} foi desativado porque não aceitou nenhum evento "
            f"nas últimas {settings.WEBHOOKS_RETRY_WINDOW_HOURS} horas.\n\n{endpoint.note}\n\n"
            "Os eventos desse período não serão reenviados. Depois de corrigir o endpoint, reative-o no painel "
            "(Relatórios › Webhooks de saída) ou pela API (PATCH /api/webhooks/{id} com \"enabled\": true); "
            "a ação \"Enviar evento de teste\" confirma que ele voltou a responder.").replace("{id}", str(endpoint.pk))
    return subject, body


def endpoint_disabled_notify(*, schema: str, endpoint_id: int) -> int:
    """Mail the active owners of the company in `schema`. Returns how many messages went out."""
    with schema_context(schema):
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
        owners = list(user_list(role=Role.OWNER, active=True).values_list("email", flat=True))
        if endpoint is None or not owners:
            log.warning("webhook_disabled_nobody_to_tell", endpoint_id=endpoint_id)
            return 0
        name = Company.objects.filter(schema_name=schema).values_list("name", flat=True).first() or schema
        subject, body = disabled_text(endpoint=endpoint, company_name=name)
        try:
            return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, owners, fail_silently=False)
        except Exception:  # noqa: BLE001 - the note on the endpoint stays; a mail server down must not undo it
            log.exception("webhook_disabled_mail_failed", endpoint_id=endpoint_id)
            return 0
