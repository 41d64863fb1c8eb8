"""Inbound webhooks of every channel kind: one view, one URL pattern, the registry decides the rest.

    /webhook/<kind>[/<secret>]

- Kinds routed by the company's host (Whaticket, the sandbox...): each channel has its own
  secret, given in the path, as `?token=` or as the key of our HMAC headers; the channel is
  the one whose secret authenticates the request.
- Kinds routed by the platform's host (Meta): one URL for every company, signed with the
  app secret; each item is routed by its account id to the company and channel that own it.

Each request: authenticate, read the body defensively, store, answer. The answer is 2xx only
after the message rows are committed; what cannot be processed although correctly signed
becomes a dead-letter row (still 2xx, so the provider does not retry it forever). A disabled
channel's webhooks get 404 and store nothing.
"""

from dataclasses import dataclass, replace

import structlog
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django_tenants.utils import schema_context

from conversations.channels.models import Channel
from conversations.channels.registry import ChannelSpec, Inbound, Routing, WebhookRequest, channel_spec
from conversations.channels.selectors import channel_by_account, channels_of_kind
from conversations.core.ingest import (
    answers_expected,
    dead_letter_record,
    delivery_status_apply,
    inbound_store_many,
)
from conversations.core.limits import ip_allow, webhook_allow
from conversations.core.pipeline import pipeline_schedule
from secretaria.client_ip import client_ip
from secretaria.observability.metrics import webhook_received_count
from secretaria.settings_cache import BYPASS, settings_known_version, settings_snapshot, settings_version_key
from secretaria.webhook_input import BadWebhook, parse_json, raw_body
from tenants.models import PUBLIC_SCHEMA
from tenants.selectors import company_for_route

log = structlog.get_logger(__name__)
NOT_HERE = "Webhook não encontrado."


def _reply(http_status: int, detail: str, *, kind: str, company: str, outcome: str, **extra) -> JsonResponse:
    webhook_received_count(company=company, provider=kind, status=outcome)
    return JsonResponse({"detail": detail, **extra}, status=http_status)


def _webhook_request(request, body: bytes, token: str) -> WebhookRequest:
    return WebhookRequest(body=body, headers=request.headers, query=request.GET, token=token or "")


@method_decorator(csrf_exempt, name="dispatch")
class ChannelWebhookView(View):
    """`/webhook/<kind>[/<token>]` on every host; the kind's spec says which host serves it."""

    def dispatch(self, request, kind: str, token: str = ""):
        spec = channel_spec(kind)
        on_platform = request.tenant.schema_name == PUBLIC_SCHEMA
        expected = Routing.PLATFORM_HOST if on_platform else Routing.COMPANY_HOST
        if spec is None or spec.routing != expected:
            return JsonResponse({"detail": NOT_HERE}, status=404)
        return super().dispatch(request, spec=spec, token=token)

    def get(self, request, spec: ChannelSpec, token: str):
        """The provider's subscription handshake (Meta's `hub.challenge`)."""
        challenge = spec.handshake(request.GET) if spec.handshake else None
        if challenge is None:
            return HttpResponse("Forbidden", status=403)
        return HttpResponse(challenge, content_type="text/plain")

    def post(self, request, spec: ChannelSpec, token: str):
        if spec.routing == Routing.PLATFORM_HOST:
            return _platform_post(request, spec, token)
        return _company_post(request, spec, token)


# --- company host ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Verdict:
    """What to do with one request, decided under one version of the company's settings."""

    status: int
    detail: str
    outcome: str
    channel: Channel | None = None
    payload: dict | None = None  # kept for a dead letter
    inbound: Inbound | None = None  # what to store

    @property
    def sender(self) -> str | None:
        """The sender whose limit this request counts against: one message that gets an answer."""
        messages = self.inbound.messages if self.inbound is not None else []
        return messages[0].sender if len(messages) == 1 and answers_expected(messages[0]) else None


def _company_post(request, spec: ChannelSpec, token: str) -> JsonResponse:
    """Decide with the settings this process last saw, and confirm they are current in the round trip
    to Redis the rate limits make anyway; decide again only when they changed (or Redis is away)."""
    company, ip = request.tenant.schema_name, client_ip(request)
    try:
        body = raw_body(request)
    except BadWebhook as exc:
        return _refuse(ip, exc.status, str(exc), kind=spec.kind, company=company, outcome="rejected")
    webhook = _webhook_request(request, body, token)
    known = settings_known_version()
    verdict = _verdict(spec, request, webhook, version=known)
    allowance = webhook_allow(ip=ip, sender=verdict.sender, settings_version_key=settings_version_key())
    if allowance.settings_version != known:
        current = BYPASS if allowance.settings_version is None else allowance.settings_version or None
        checked_sender = verdict.sender
        verdict = _verdict(spec, request, webhook, version=current)
        if verdict.sender != checked_sender:
            allowance = replace(allowance, sender=None)  # not asked: inbound_store asks for it
    if not allowance.ip:
        return _too_many(kind=spec.kind, company=company)
    return _act(spec, verdict, sender_allowed=allowance.sender if verdict.sender else None, company=company)


def _verdict(spec: ChannelSpec, request, webhook: WebhookRequest, *, version) -> _Verdict:
    with settings_snapshot(version=version):
        channel = _authenticated_channel(spec, webhook)
    if channel is None:
        return _Verdict(401, "Não autorizado.", "unauthorized")
    if not channel.enabled:
        return _Verdict(404, "Canal desativado.", "disabled")
    try:
        payload = parse_json(request, webhook.body)
    except BadWebhook as exc:
        return _Verdict(exc.status, str(exc), "rejected")
    try:
        inbound = spec.parse(payload)
    except ValueError as exc:
        return _Verdict(202, str(exc), "dead_letter", channel=channel, payload=payload)
    if not (inbound.messages or inbound.statuses or inbound.rejected):
        return _Verdict(200, "Ignorada.", "ignored")
    return _Verdict(200, "Recebida.", "stored", channel=channel, inbound=inbound)


def _authenticated_channel(spec: ChannelSpec, webhook: WebhookRequest) -> Channel | None:
    """The company's channel of this kind whose own secret authenticates the request (a few per company)."""
    return next((c for c in channels_of_kind(spec.kind) if spec.authenticate(webhook, c.inbound_secret)), None)


def _act(spec: ChannelSpec, verdict: _Verdict, *, sender_allowed: bool | None, company: str) -> JsonResponse:
    if verdict.outcome == "dead_letter":
        dead_letter_record(source=f"webhook:{spec.kind}", reason=verdict.detail, payload=verdict.payload,
                           channel_id=verdict.channel.pk)
        return _reply(202, "Registrado para análise.", kind=spec.kind, company=company, outcome="dead_letter")
    if verdict.outcome != "stored":
        return _reply(verdict.status, verdict.detail, kind=spec.kind, company=company, outcome=verdict.outcome)
    contacts, duplicates = _store_inbound(spec, verdict.channel, verdict.inbound, sender_allowed=sender_allowed)
    pipeline_schedule(contact_ids=contacts)
    status = "duplicate" if duplicates and not contacts else "stored"
    return _reply(200, "Recebida.", kind=spec.kind, company=company, outcome=status, status=status)


def _store_inbound(spec: ChannelSpec, channel: Channel, inbound: Inbound, *,
                   sender_allowed: bool | None) -> tuple[set[int], int]:
    """Messages, statuses and rejected items of one channel; (contacts to answer, duplicates).

    A single message is one INSERT in autocommit: committed when it returns, so the wake-up can
    go out straight away (a transaction around it would only add BEGIN and COMMIT round trips).
    """
    if len(inbound.messages) == 1 and not (inbound.statuses or inbound.rejected):
        result = inbound_store_many(messages=inbound.messages, channel_id=channel.pk, sender_allowed=sender_allowed)
        return result.contacts_to_answer, result.duplicates
    with transaction.atomic():
        result = inbound_store_many(messages=inbound.messages, channel_id=channel.pk)
        for update in inbound.statuses:
            delivery_status_apply(update=update, rank=spec.status_rank)
        for rejected in inbound.rejected:
            dead_letter_record(source=f"webhook:{spec.kind}", reason=rejected.get("reason", ""), payload=rejected,
                               channel_id=channel.pk)
    return result.contacts_to_answer, result.duplicates


def _refuse(ip: str, http_status: int, detail: str, *, kind: str, company: str, outcome: str) -> JsonResponse:
    """An answer that stores nothing; it still counts against the caller's IP limit."""
    if not ip_allow(ip=ip):
        return _too_many(kind=kind, company=company)
    return _reply(http_status, detail, kind=kind, company=company, outcome=outcome)


def _too_many(*, kind: str, company: str) -> JsonResponse:
    return _reply(429, "Muitas requisições.", kind=kind, company=company, outcome="rate_limited")


# --- platform host ---------------------------------------------------------------------------------

def _platform_post(request, spec: ChannelSpec, token: str) -> JsonResponse:
    if not ip_allow(ip=client_ip(request)):
        return _too_many(kind=spec.kind, company=PUBLIC_SCHEMA)
    try:
        body = raw_body(request)
        if not spec.authenticate(_webhook_request(request, body, token), ""):
            return _reply(401, "Assinatura inválida.", kind=spec.kind, company=PUBLIC_SCHEMA, outcome="unauthorized")
        payload = parse_json(request, body)
        inbound = spec.parse(payload)
    except BadWebhook as exc:
        return _reply(exc.status, str(exc), kind=spec.kind, company=PUBLIC_SCHEMA, outcome="rejected")
    except ValueError as exc:
        # Signed, but nothing in it names a company to keep it for: logged, acknowledged.
        log.error("webhook_unparseable", kind=spec.kind, reason=str(exc))
        return _reply(202, "Registrado para análise.", kind=spec.kind, company=PUBLIC_SCHEMA, outcome="dead_letter")
    outcomes = [_store_for_account(spec, account, part) for account, part in _by_account(inbound).items()]
    if outcomes and all(outcome == "disabled" for outcome in outcomes):
        return _reply(404, "Canal desativado.", kind=spec.kind, company=PUBLIC_SCHEMA, outcome="disabled")
    return _reply(200, "Recebida.", kind=spec.kind, company=PUBLIC_SCHEMA, outcome="stored")


def _by_account(inbound: Inbound) -> dict[str, Inbound]:
    grouped: dict[str, Inbound] = {}
    for message in inbound.messages:
        grouped.setdefault(message.channel_account, Inbound()).messages.append(message)
    for status in inbound.statuses:
        grouped.setdefault(status.channel_account, Inbound()).statuses.append(status)
    for rejected in inbound.rejected:
        grouped.setdefault(rejected.get("channel_account", ""), Inbound()).rejected.append(rejected)
    return grouped


def _store_for_account(spec: ChannelSpec, account: str, inbound: Inbound) -> str:
    """"stored", "disabled" or "unroutable", for the items of one provider account."""
    company = company_for_route(provider=spec.kind, external_id=account)
    if company is None:
        return _unroutable(spec, account)
    with schema_context(company.schema_name), settings_snapshot():
        channel = channel_by_account(kind=spec.kind, account=account)
        if channel is None:
            return _unroutable(spec, account)
        if not channel.enabled:
            webhook_received_count(company=company.schema_name, provider=spec.kind, status="disabled")
            return "disabled"
        contacts, _ = _store_inbound(spec, channel, inbound, sender_allowed=None)
        transaction.on_commit(lambda: pipeline_schedule(contact_ids=contacts))
    return "stored"


def _unroutable(spec: ChannelSpec, account: str) -> str:
    log.warning("webhook_unroutable", kind=spec.kind, account=account)
    webhook_received_count(company="unknown", provider=spec.kind, status="unroutable")
    return "unroutable"
