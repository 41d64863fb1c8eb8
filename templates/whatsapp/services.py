"""Writes of the WhatsApp message templates: sync from Meta, create, status updates, slot mappings.

Every call to Meta goes through the channel's own client (conversations' Meta provider, real
httpx) and is one attempt: the sync task owns the retries. What Meta answers is turned into pt-BR
for the people who read it (the admin, the API, the sync log): a rate limit (#130429) is retried
later and the failed attempt stays visible; an invalid parameter (#100) is a clear 400.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import structlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from conversations.channels.base import ChannelError, PermanentChannelError, TransientChannelError
from conversations.channels.message_templates import TemplateStatusChange
from conversations.channels.meta.client import TEMPLATE_LANGUAGE, TEMPLATE_NAME
from conversations.channels.models import Channel
from conversations.channels.services import channel_client
from secretaria.errors import Conflict
from secretaria.queue import task_delay
from templates.replies.catalogue import slot_get
from templates.whatsapp.models import PLACEHOLDER, WhatsAppTemplate, WhatsAppTemplateMapping, WhatsAppTemplateSync
from templates.whatsapp.selectors import meta_channels
from tenants.selectors import company_current, company_for_route
from tenants.services import channel_routes_set

log = structlog.get_logger(__name__)
Status = WhatsAppTemplate.Status
Outcome = WhatsAppTemplateSync.Outcome

# Meta's status webhook routes by business account, not by number: `meta_waba:<WABA id>` → company.
WABA_ROUTE = "meta_waba"
SYNC_TASK = "templates.whatsapp_template_sync"
SYNC_LOG_KEEP = 50  # sync attempts kept per channel
BODY_LIMIT, HEADER_LIMIT, FOOTER_LIMIT = 1024, 60, 60
RATE_LIMIT_CODES = frozenset({4, 80007, 130429})
INVALID_PARAMETER = 100
_ENDS_WITH_VARIABLE = re.compile(PLACEHOLDER.pattern + r"$")
# What the status webhook's `event` means for the stored status; events not here (UNARCHIVED...)
# say something changed without saying to what: the channel is synced again instead.
EVENT_STATUS = {status.value: status.value for status in Status} | {"REINSTATED": Status.APPROVED}


class MetaBusy(Exception):
    """Meta limited this account's calls (#130429, HTTP 429) or did not answer: try again later.
    `message` is pt-BR."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Meta's errors, in pt-BR ---------------------------------------------------------------------

def meta_error_message(exc: ChannelError) -> str:
    """What a person should read about a failed call to Meta (Meta's own words kept at the end)."""
    code = exc.code
    if code in RATE_LIMIT_CODES or exc.status == 429:
        return f"A Meta limitou as chamadas desta conta (#{code or 429}); nova tentativa em alguns minutos."
    if isinstance(exc, TransientChannelError):
        return f"A Meta não respondeu a tempo; nova tentativa em alguns minutos. ({exc})"
    if code == INVALID_PARAMETER:
        return f"A Meta recusou os dados do template (#100, parâmetro inválido). Detalhes: {exc}"
    if code == 190:
        return "O token de acesso da Meta expirou ou é inválido (#190): atualize-o no canal."
    if code == 10 or (isinstance(code, int) and 200 <= code <= 299):
        return f"O token da Meta não tem permissão para gerenciar templates desta conta (#{code})."
    return f"A Meta recusou o pedido. Detalhes: {exc}"


def _meta_client(channel: Channel):
    return channel_client(channel)


def _waba_of(channel: Channel) -> str:
    waba_id = channel.value("waba_id")
    if channel.kind != "meta" or not waba_id:
        raise ValidationError({"channel": ["Este canal não é da Meta ou não tem o ID da conta do WhatsApp Business "
                                           "(WABA): preencha-o no canal."]})
    return waba_id


# --- sync ----------------------------------------------------------------------------------------

def whatsapp_templates_sync(*, channel: Channel, final: bool = True) -> WhatsAppTemplateSync:
    """Read every template of the channel's business account (all pages) and store them.

    Templates no longer listed stay, marked DELETED, so that their mappings show why they stopped.
    Each attempt is recorded. A transient failure (a rate limit...) raises TransientChannelError
    for the task to retry, recorded as "retrying" — or, on the `final` attempt, as "failed".
    """
    started = timezone.now()
    waba_id = _waba_of(channel)
    whatsapp_routes_sync()
    try:
        items = _meta_client(channel).message_templates_list(waba_id)
    except TransientChannelError as exc:
        row = _sync_record(channel, started, Outcome.FAILED if final else Outcome.RETRYING,
                           error=meta_error_message(exc))
        if final:
            return row
        raise
    except PermanentChannelError as exc:
        return _sync_record(channel, started, Outcome.FAILED, error=meta_error_message(exc))
    with transaction.atomic():
        kept = {_template_upsert(channel, item, started).pk for item in items if _readable(item)}
        WhatsAppTemplate.objects.filter(channel=channel).exclude(pk__in=kept).exclude(status=Status.DELETED) \
            .update(status=Status.DELETED, synced_at=started)
        return _sync_record(channel, started, Outcome.OK, count=len(kept))


def whatsapp_templates_sync_all() -> int:
    """The daily run, per company: queue a sync of each enabled Meta channel with a WABA id."""
    whatsapp_routes_sync()
    queued = 0
    for channel in meta_channels():
        if channel.enabled:
            task_delay(SYNC_TASK, channel.pk)
            queued += 1
    return queued


def _sync_record(channel: Channel, started, outcome: str, *, count: int = 0, error: str = "") -> WhatsAppTemplateSync:
    if error:
        log.warning("whatsapp_templates_sync_failed", channel_id=channel.pk, outcome=outcome, error=error)
    row = WhatsAppTemplateSync.objects.create(channel=channel, started_at=started, finished_at=timezone.now(),
                                              outcome=outcome, templates=count, error=error[:500])
    old = WhatsAppTemplateSync.objects.filter(channel=channel).values_list("pk", flat=True)[SYNC_LOG_KEEP:]
    WhatsAppTemplateSync.objects.filter(pk__in=list(old)).delete()
    return row


def _readable(item: dict) -> bool:
    return bool(isinstance(item.get("name"), str) and item["name"] and isinstance(item.get("language"), str))


def _template_upsert(channel: Channel, item: dict, now) -> WhatsAppTemplate:
    parts = _parts(item.get("components"))
    reason = str(item.get("rejected_reason") or "")
    template, _ = WhatsAppTemplate.objects.update_or_create(
        channel=channel, name=item["name"][:512], language=item["language"][:16],
        defaults={
            "meta_id": str(item.get("id") or "")[:64], "category": str(item.get("category") or "")[:16],
            "status": str(item.get("status") or Status.PENDING)[:16],
            "rejection_reason": "" if reason.upper() == "NONE" else reason[:200],
            "header_text": parts.header[:60], "body_text": parts.body, "footer_text": parts.footer[:60],
            "examples": parts.examples, "components": item.get("components") or [], "synced_at": now,
        })
    return template


@dataclass(frozen=True)
class _Parts:
    header: str = ""
    body: str = ""
    footer: str = ""
    examples: tuple[str, ...] = ()


def _parts(components: object) -> _Parts:
    """The texts of Meta's `components` (a text header, the body with its examples, the footer)."""
    found: dict[str, dict] = {}
    for component in components if isinstance(components, list) else []:
        if isinstance(component, dict) and isinstance(component.get("type"), str):
            found.setdefault(component["type"].upper(), component)
    body, header, footer = found.get("BODY", {}), found.get("HEADER", {}), found.get("FOOTER", {})
    example = body.get("example") if isinstance(body.get("example"), dict) else {}
    rows = example.get("body_text") if isinstance(example.get("body_text"), list) else []
    first = rows[0] if rows and isinstance(rows[0], list) else []
    return _Parts(header=str(header.get("text") or "") if header.get("format", "TEXT") == "TEXT" else "",
                  body=str(body.get("text") or ""), footer=str(footer.get("text") or ""),
                  examples=tuple(str(value) for value in first))


# --- create --------------------------------------------------------------------------------------

def whatsapp_template_create(*, channel: Channel, name: str, language: str, category: str, body: str,
                             examples: Sequence[str] = (), header: str = "", footer: str = "") -> WhatsAppTemplate:
    """Submit a new template to Meta for review and keep it (PENDING until Meta decides).

    ValidationError (pt-BR, by field) for what Meta would refuse, checked here first, and for what
    Meta refused all the same (#100); MetaBusy when Meta limited the calls or did not answer.
    """
    name, language, body, header, footer = (value.strip() for value in (name, language, body, header, footer))
    examples = [str(value).strip() for value in examples]
    _create_check(channel=channel, name=name, language=language, category=category, body=body,
                  examples=examples, header=header, footer=footer)
    components = _components(body=body, examples=examples, header=header, footer=footer)
    try:
        answer = _meta_client(channel).message_template_create(
            _waba_of(channel), name=name, language=language, category=category, components=components)
    except TransientChannelError as exc:
        raise MetaBusy(meta_error_message(exc)) from exc
    except PermanentChannelError as exc:
        raise ValidationError({"non_field_errors": [meta_error_message(exc)]}) from exc
    return WhatsAppTemplate.objects.create(
        channel=channel, meta_id=str(answer.get("id") or "")[:64], name=name, language=language,
        category=str(answer.get("category") or category)[:16], status=str(answer.get("status") or Status.PENDING)[:16],
        header_text=header, body_text=body, footer_text=footer, examples=examples, components=components)


def _create_check(*, channel: Channel, name: str, language: str, category: str, body: str, examples: list[str],
                  header: str, footer: str) -> None:
    _waba_of(channel)
    errors: dict[str, list[str]] = defaultdict(list)
    if not TEMPLATE_NAME.fullmatch(name):
        errors["name"].append("Use letras minúsculas, números e _ (até 512), como a Meta aceita: lembrete_consulta.")
    if not TEMPLATE_LANGUAGE.fullmatch(language):
        errors["language"].append("Use um código de idioma da Meta, ex.: pt_BR ou en_US.")
    if category not in WhatsAppTemplate.Category.values:
        errors["category"].append("Escolha MARKETING, UTILITY ou AUTHENTICATION.")
    errors["body"] += _body_problems(body)
    if PLACEHOLDER.search(header) or PLACEHOLDER.search(footer):
        errors["header"].append("O cabeçalho e o rodapé não podem ter variáveis; use-as no corpo.")
    if len(header) > HEADER_LIMIT:
        errors["header"].append(f"O cabeçalho tem {len(header)} caracteres; a Meta aceita até {HEADER_LIMIT}.")
    if len(footer) > FOOTER_LIMIT:
        errors["footer"].append(f"O rodapé tem {len(footer)} caracteres; a Meta aceita até {FOOTER_LIMIT}.")
    numbers = sorted({int(n) for n in PLACEHOLDER.findall(body)})
    if not errors["body"] and (len(examples) != len(numbers) or not all(examples)):
        errors["examples"].append(f"Dê um exemplo para cada variável do corpo ({len(numbers)}), na ordem "
                                  f"{{{{1}}}}, {{{{2}}}}…: a Meta exige exemplos para analisar o template.")
    if not errors and WhatsAppTemplate.objects.filter(channel=channel, name=name, language=language).exists():
        errors["name"].append("Já existe um template com este nome e idioma neste canal.")
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def _body_problems(body: str) -> list[str]:
    if not body:
        return ["Escreva o corpo do template."]
    if len(body) > BODY_LIMIT:
        return [f"O corpo tem {len(body)} caracteres; a Meta aceita até {BODY_LIMIT}."]
    if "{{" in PLACEHOLDER.sub("", body) or "}}" in PLACEHOLDER.sub("", body):
        return ["Escreva as variáveis como {{1}}, {{2}}… (números entre chaves duplas)."]
    numbers = sorted({int(n) for n in PLACEHOLDER.findall(body)})
    if numbers != list(range(1, len(numbers) + 1)):
        return ["Numere as variáveis em sequência a partir de {{1}}, sem pular números."]
    stripped = body.strip()
    if numbers and (PLACEHOLDER.match(stripped) or _ENDS_WITH_VARIABLE.search(stripped)):
        return ["O corpo não pode começar nem terminar com uma variável (regra da Meta)."]
    return []


def _components(*, body: str, examples: list[str], header: str, footer: str) -> list[dict]:
    """Meta's `components` for a new template (§10): a text header, the body with its examples, a footer."""
    components: list[dict] = []
    if header:
        components.append({"type": "HEADER", "format": "TEXT", "text": header})
    body_component: dict = {"type": "BODY", "text": body}
    if examples:
        body_component["example"] = {"body_text": [examples]}
    components.append(body_component)
    if footer:
        components.append({"type": "FOOTER", "text": footer})
    return components


# --- status updates (Meta's webhook) -------------------------------------------------------------

def template_status_changes_apply(changes: Iterable[TemplateStatusChange]) -> None:
    """The status webhook's changes, heard in the platform's schema: each goes to the company whose
    Meta channel has that business account, and updates the template there."""
    by_account: dict[str, list[TemplateStatusChange]] = defaultdict(list)
    for change in changes:
        by_account[change.account].append(change)
    for account, account_changes in by_account.items():
        company = company_for_route(provider=WABA_ROUTE, external_id=account)
        if company is None:
            log.warning("template_status_unroutable", waba_id=account, count=len(account_changes))
            continue
        with schema_context(company.schema_name), transaction.atomic():
            for channel in meta_channels(waba_id=account):
                for change in account_changes:
                    template_status_apply(channel=channel, change=change)


def template_status_apply(*, channel: Channel, change: TemplateStatusChange) -> WhatsAppTemplate | None:
    """Store what Meta decided about one template of this channel; a template we did not know yet,
    or an event that does not say the new status, makes the channel sync again."""
    status = EVENT_STATUS.get(change.event)
    rows = WhatsAppTemplate.objects.filter(channel=channel, name=change.name)
    rows = rows.filter(language=change.language) if change.language else rows
    template = rows.first()
    if template is None or status is None:
        transaction.on_commit(lambda: task_delay(SYNC_TASK, channel.pk))
    if template is None:
        return None
    if status is not None:
        template.status = status
        template.rejection_reason = change.reason[:200] if status == Status.REJECTED else ""
    template.meta_id = change.template_id[:64] or template.meta_id
    template.category = change.category[:16] or template.category
    template.save(update_fields=["status", "rejection_reason", "meta_id", "category", "updated_at"])
    return template


# --- routes --------------------------------------------------------------------------------------

def whatsapp_routes_sync() -> None:
    """Point the business accounts of the company's Meta channels at the company (for the status
    webhook). Another company already holding one is logged: its updates keep going there."""
    waba_ids = {channel.value("waba_id") for channel in meta_channels()}
    try:
        channel_routes_set(company=company_current(), provider=WABA_ROUTE, external_ids=waba_ids)
    except Conflict:
        log.warning("waba_route_taken", waba_ids=sorted(waba_ids))


def channel_settings_heard(event) -> None:
    """SettingsChanged subscriber: a channel changed, so its WABA may have."""
    if event.area == "channel":
        whatsapp_routes_sync()


# --- mappings ------------------------------------------------------------------------------------

def mapping_problems(*, channel: Channel | None, slot: str, template: WhatsAppTemplate | None,
                     variables: Sequence[str]) -> dict[str, list[str]]:
    """Why this mapping would not send the slot's facts right (pt-BR, by field); {} when it would."""
    try:
        known = slot_get(slot).variables
    except LookupError:
        return {"slot": [f"Mensagem desconhecida: {slot!r}."]}
    if template is None:
        return {"template": ["Escolha um template."]}
    if channel is not None and template.channel_id != channel.pk:
        return {"template": ["Escolha um template deste canal."]}
    if PLACEHOLDER.search(template.header_text):
        return {"template": ["Este template tem variável no cabeçalho: escolha um com variáveis só no corpo."]}
    numbers = template.body_placeholders
    if numbers != list(range(1, len(numbers) + 1)):
        return {"template": ["As variáveis do corpo deste template não estão numeradas em sequência."]}
    if len(variables) != len(numbers):
        return {"variables": [f"O template {template.name} tem {len(numbers)} variável(is) no corpo: escolha uma "
                              f"variável da mensagem para cada {{{{n}}}}, na ordem (recebidas: {len(variables)})."]}
    unknown = [f"{{{{{i}}}}}: {name!r}" for i, name in enumerate(variables, start=1) if name not in known]
    if unknown:
        return {"variables": [f"Variáveis que a mensagem {slot} não tem — {', '.join(unknown)}. "
                              f"Use: {', '.join(known) or 'nenhuma'}."]}
    return {}


@transaction.atomic
def whatsapp_mapping_save(*, channel: Channel, slot: str, template: WhatsAppTemplate, variables: Sequence[str],
                          mapping: WhatsAppTemplateMapping | None = None) -> WhatsAppTemplateMapping:
    """Map `slot` on `channel` to `template`, `variables[i]` filling `{{i+1}}` (checked first).
    `mapping`: the row to change; else the slot's mapping on the channel, made when missing."""
    variables = [str(name).strip() for name in variables]
    problems = mapping_problems(channel=channel, slot=slot, template=template, variables=variables)
    if problems:
        raise ValidationError(problems)
    if mapping is None:
        mapping = WhatsAppTemplateMapping.objects.filter(channel=channel, slot=slot).first() \
            or WhatsAppTemplateMapping(channel=channel, slot=slot)
    mapping.channel, mapping.slot, mapping.template, mapping.variables = channel, slot, template, variables
    mapping.save()
    return mapping
