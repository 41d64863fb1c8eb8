"""Cal.com's signed webhooks, on each company's host: POST /webhook/calcom.

Authenticate (hex HMAC-SHA256 of the raw body with the company's webhook secret),
read the body defensively, apply the event in one transaction, answer. A correctly
signed body we cannot understand becomes a dead-letter row and a 202, so Cal.com
does not retry it forever; a bad signature changes nothing (401).
"""

import structlog
from django.db import transaction
from django.http import JsonResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from agenda.services.calcom_sync import calcom_event_apply, signature_valid
from agenda.services.config import calendar_config
from conversations.core.ingest import dead_letter_record
from conversations.core.limits import ip_allow
from secretaria.client_ip import client_ip
from secretaria.observability.metrics import webhook_received_count
from secretaria.webhook_input import BadWebhook, parse_json, raw_body

log = structlog.get_logger(__name__)
PROVIDER = "calcom"


def _reply(http_status: int, detail: str, *, company: str, outcome: str, **extra) -> JsonResponse:
    webhook_received_count(company=company, provider=PROVIDER, status=outcome)
    return JsonResponse({"detail": detail, **extra}, status=http_status)


@method_decorator(csrf_exempt, name="dispatch")
class CalcomWebhookView(View):
    def post(self, request):
        company = request.tenant.schema_name
        if not ip_allow(ip=client_ip(request)):
            return _reply(429, "Muitas requisições.", company=company, outcome="rate_limited")
        try:
            body = raw_body(request)
            secret = calendar_config().calcom_webhook_secret
            if not signature_valid(secret=secret, raw_body=body, header=request.headers.get("X-Cal-Signature-256")):
                return _reply(401, "Assinatura inválida.", company=company, outcome="unauthorized")
            payload = parse_json(request, body)
        except BadWebhook as exc:
            return _reply(exc.status, str(exc), company=company, outcome="rejected")
        try:
            with transaction.atomic():
                outcome = calcom_event_apply(payload=payload)
        except (ValueError, KeyError, TypeError) as exc:
            dead_letter_record(source="webhook:calcom", reason=str(exc)[:200], payload=payload)
            return _reply(202, "Registrado para análise.", company=company, outcome="dead_letter")
        log.info("calcom_webhook", trigger=payload.get("triggerEvent"), outcome=outcome)
        metric = {"created": "stored", "cancelled": "stored", "rescheduled": "stored", "no_show": "stored",
                  "attended": "stored"}.get(outcome, outcome)
        return _reply(200, "Recebido.", company=company, outcome=metric, result=outcome)


webhook_urlpatterns = [path("webhook/calcom", CalcomWebhookView.as_view(), name="webhook-calcom")]
