"""Inbound webhooks. Each: authenticate, read the body defensively, store, answer.

The answer is 2xx only after the message rows are committed; what cannot be
processed although correctly signed becomes a dead-letter row (still 2xx, so the
provider does not retry it forever), and the pipeline is started on commit.
"""

import structlog
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django_tenants.utils import schema_context

from conversations.providers.channels import meta, sandbox, whaticket
from conversations.selectors import channel_for_inbound
from conversations.services.ingest import (
    answers_expected,
    dead_letter_record,
    delivery_status_apply,
    inbound_store_many,
)
from conversations.services.limits import client_ip, ip_allow, webhook_allow
from conversations.services.pipeline import pipeline_schedule
from secretaria.observability.metrics import WEBHOOKS_RECEIVED
from secretaria.webhook_input import BadWebhook, parse_json, raw_body
from tenants.selectors import company_for_route

log = structlog.get_logger(__name__)


def _reply(http_status: int, detail: str, *, provider: str, company: str, outcome: str, **extra) -> JsonResponse:
    WEBHOOKS_RECEIVED.labels(company=company, provider=provider, status=outcome).inc()
    return JsonResponse({"detail": detail, **extra}, status=http_status)


@method_decorator(csrf_exempt, name="dispatch")
class TenantWebhookView(View):
    """Whaticket and sandbox: on the company's own host, authenticated with its secret."""

    provider = ""

    def post(self, request, secret: str = ""):
        company = request.tenant.schema_name
        ip = client_ip(request)
        channel = channel_for_inbound(kind=self.provider)
        try:
            body = raw_body(request)
            if channel is None or not self.authenticated(request, channel.inbound_secret, secret, body):
                return _refuse(ip, 401, "Não autorizado.", provider=self.provider, company=company,
                               outcome="unauthorized")
            payload = parse_json(request, body)
        except BadWebhook as exc:
            return _refuse(ip, exc.status, str(exc), provider=self.provider, company=company, outcome="rejected")
        return self.store(payload, company=company, ip=ip)

    def authenticated(self, request, expected: str, secret: str, body: bytes) -> bool:
        given = secret or request.GET.get("token")
        if given:
            return whaticket.token_valid(expected, given)
        return whaticket.signature_valid(
            secret=expected, raw_body=body,
            timestamp_header=request.headers.get("X-Secretaria-Timestamp"),
            signature_header=request.headers.get("X-Secretaria-Signature"),
        )

    def parse(self, payload: dict):
        raise NotImplementedError

    def store(self, payload: dict, *, company: str, ip: str):
        try:
            message = self.parse(payload)
        except ValueError as exc:
            if not ip_allow(ip=ip):
                return _too_many(provider=self.provider, company=company)
            dead_letter_record(source=f"webhook:{self.provider}", reason=str(exc), payload=payload)
            return _reply(202, "Registrado para análise.", provider=self.provider, company=company,
                          outcome="dead_letter")
        if message is None:
            return _refuse(ip, 200, "Ignorada.", provider=self.provider, company=company, outcome="ignored")
        # The IP and sender limits in one round trip: each one the webhook waits on is ack latency.
        ip_allowed, sender_allowed = webhook_allow(
            ip=ip, sender=message.sender if answers_expected(message) else None)
        if not ip_allowed:
            return _too_many(provider=self.provider, company=company)
        # One INSERT statement in autocommit: committed when it returns, so the wake-up can go
        # out straight away (a transaction around it would only add BEGIN and COMMIT round trips).
        result = inbound_store_many(messages=[message], sender_allowed=sender_allowed)
        pipeline_schedule(contact_ids=result.contacts_to_answer)
        status = "duplicate" if result.duplicates else "stored"
        return _reply(200, "Recebida.", provider=self.provider, company=company, outcome=status, status=status)


def _refuse(ip: str, http_status: int, detail: str, *, provider: str, company: str, outcome: str) -> JsonResponse:
    """An answer that stores nothing; it still counts against the caller's IP limit."""
    if not ip_allow(ip=ip):
        return _too_many(provider=provider, company=company)
    return _reply(http_status, detail, provider=provider, company=company, outcome=outcome)


def _too_many(*, provider: str, company: str) -> JsonResponse:
    return _reply(429, "Muitas requisições.", provider=provider, company=company, outcome="rate_limited")


class WhaticketWebhookView(TenantWebhookView):
    provider = "whaticket"

    def parse(self, payload):
        return whaticket.parse_inbound(payload)


class SandboxWebhookView(TenantWebhookView):
    provider = "sandbox"

    def parse(self, payload):
        return sandbox.parse_inbound(payload)


@method_decorator(csrf_exempt, name="dispatch")
class MetaWebhookView(View):
    """Meta Cloud API: one URL on the public host for every company, routed by phone_number_id."""

    def get(self, request):
        challenge = meta.verify_handshake(request.GET, verify_token=settings.META_VERIFY_TOKEN)
        if challenge is None:
            return HttpResponse("Forbidden", status=403)
        return HttpResponse(challenge, content_type="text/plain")

    def post(self, request):
        if not ip_allow(ip=client_ip(request)):
            return _too_many(provider="meta", company="public")
        try:
            body = raw_body(request)
            if not settings.META_APP_SECRET or not meta.signature_valid(
                body, request.headers.get("X-Hub-Signature-256"), app_secret=settings.META_APP_SECRET
            ):
                return _reply(401, "Assinatura inválida.", provider="meta", company="public", outcome="unauthorized")
            payload = parse_json(request, body)
        except BadWebhook as exc:
            return _reply(exc.status, str(exc), provider="meta", company="public", outcome="rejected")
        try:
            notification = meta.parse_notification(payload)
        except ValueError as exc:
            log.error("meta_unparseable", reason=str(exc))
            return _reply(202, "Registrado para análise.", provider="meta", company="public", outcome="dead_letter")
        for account, items in _by_account(notification).items():
            _store_for_account(account, items)
        return _reply(200, "Recebida.", provider="meta", company="public", outcome="stored")


def _by_account(notification) -> dict[str, dict[str, list]]:
    grouped: dict[str, dict[str, list]] = {}
    for kind in ("messages", "statuses", "rejected"):
        for item in getattr(notification, kind, []):
            account = item.channel_account if kind != "rejected" else item.get("channel_account", "")
            grouped.setdefault(account, {"messages": [], "statuses": [], "rejected": []})[kind].append(item)
    return grouped


def _store_for_account(account: str, items: dict[str, list]) -> None:
    company = company_for_route(provider="meta", external_id=account)
    if company is None:
        log.warning("meta_unroutable", phone_number_id=account)
        WEBHOOKS_RECEIVED.labels(company="unknown", provider="meta", status="unroutable").inc()
        return
    with schema_context(company.schema_name), transaction.atomic():
        result = inbound_store_many(messages=items["messages"])
        for update in items["statuses"]:
            delivery_status_apply(update=update, rank=meta.status_rank)
        for rejected in items["rejected"]:
            dead_letter_record(source="webhook:meta", reason=rejected.get("reason", ""), payload=rejected)
        transaction.on_commit(lambda: pipeline_schedule(contact_ids=result.contacts_to_answer))
