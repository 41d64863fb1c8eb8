"""The Meta WhatsApp Cloud API as a channel kind (docs/contracts/meta.md §2).

One webhook URL on the platform's host serves every company (Meta calls the app's single
callback URL), signed with the app secret and routed by `phone_number_id`; several numbers,
of one company or many, share it. Outside the 24-hour window only an approved template
goes through: the template the company mapped to the message's slot (templates/whatsapp, asked
through conversations/channels/message_templates.py), else `template_name`, which carries the
whole text in its single `{{1}}`.

`waba_id` (the WhatsApp Business Account) is where the company's message templates live: with it
they are synced and created from the admin, and Meta's template status updates (which name the
account, not a number) reach the company.
"""

from collections.abc import Mapping

from django.conf import settings

from conversations.channels.message_templates import template_status_hand_up
from conversations.channels.meta.client import TEMPLATE_LANGUAGE, TEMPLATE_NAME, MetaClient
from conversations.channels.meta.parse import OBJECT, parse_notification
from conversations.channels.meta.status import status_rank
from conversations.channels.meta.webhook import signature_valid, verify_handshake
from conversations.channels.registry import (
    Capabilities,
    ChannelSpec,
    ConfigField,
    Inbound,
    Routing,
    WebhookRequest,
)
from secretaria.http import shared_client

DEFAULT_TEMPLATE_LANGUAGE = "pt_BR"


def _client(values: Mapping[str, str]) -> MetaClient:
    return MetaClient(phone_number_id=values["phone_number_id"], access_token=values["access_token"],
                      graph_url=settings.META_GRAPH_URL, http=shared_client())


def _parse(payload: dict) -> Inbound:
    """Messages and statuses for the webhook view to route by number; template status updates are
    the business account's, not a number's: they go up to whoever keeps the templates, here."""
    notification = parse_notification(payload)
    template_status_hand_up(notification.template_changes)
    return Inbound(messages=notification.messages, statuses=notification.statuses,
                   rejected=notification.rejected)


def _authenticate(request: WebhookRequest, _secret: str) -> bool:
    # The app secret signs every company's notifications; the per-channel secret plays no part.
    return signature_valid(request.body, request.headers.get("X-Hub-Signature-256"),
                           app_secret=settings.META_APP_SECRET)


# The webhook dead-letters one rejected item as {"kind", "path", "reason", "channel_account", "item"}.
_SECTIONS = {"message": "messages", "status": "statuses", "error": "errors"}


def _redeliver(payload: dict, _dead_letter_id: int) -> dict:
    """A whole notification as stored, or one rejected item wrapped back into a notification."""
    if "object" in payload or payload.get("kind") not in _SECTIONS:
        return payload
    value = {"metadata": {"phone_number_id": payload.get("channel_account", "")},
             _SECTIONS[payload["kind"]]: [payload.get("item")]}
    return {"object": OBJECT, "entry": [{"changes": [{"field": "messages", "value": value}]}]}


def _handshake(query: Mapping[str, str]) -> str | None:
    return verify_handshake(query, verify_token=settings.META_VERIFY_TOKEN)


def _template_name_problem(value: str) -> str | None:
    if value and not TEMPLATE_NAME.fullmatch(value):
        return "Use o nome do template na Meta: letras minúsculas, números e _ (até 512)."
    return None


def _template_language_problem(value: str) -> str | None:
    if not TEMPLATE_LANGUAGE.fullmatch(value or DEFAULT_TEMPLATE_LANGUAGE):
        return "Use um código de idioma da Meta, ex.: pt_BR ou en_US."
    return None


def _phone_number_id_problem(value: str) -> str | None:
    return None if value.isdigit() else "Use o phone_number_id da Meta (só dígitos)."


def _waba_id_problem(value: str) -> str | None:
    return None if value.isdigit() else "Use o ID da conta do WhatsApp Business (WABA) na Meta (só dígitos)."


SPEC = ChannelSpec(
    kind="meta",
    label="WhatsApp Cloud API (Meta)",
    fields=(
        ConfigField("phone_number_id", "phone_number_id (Meta)", required=True, max_length=64,
                    validate=_phone_number_id_problem),
        ConfigField("access_token", "token de acesso", required=True, secret=True, aliases=("token",)),
        ConfigField("waba_id", "ID da conta do WhatsApp Business (WABA)", max_length=64, validate=_waba_id_problem,
                    help_text="Onde ficam os templates de mensagem da empresa na Meta: com ele, os templates "
                              "são sincronizados e criados pelo painel."),
        ConfigField("template_name", "template para mensagens fora da janela de 24h", validate=_template_name_problem,
                    help_text="Nome de um template aprovado na Meta com uma única variável no corpo, {{1}}, que "
                              "recebe o texto da mensagem (ex.: lembretes enviados mais de 24h após a última "
                              "mensagem do cliente), quando a mensagem não tem um template próprio associado. "
                              "Em branco, essas mensagens vão para a fila de erros."),
        ConfigField("template_language", "idioma do template", default=DEFAULT_TEMPLATE_LANGUAGE, max_length=16,
                    validate=_template_language_problem,
                    help_text="Código do idioma em que o template foi aprovado, ex.: pt_BR (padrão), en_US."),
    ),
    client=_client,
    parse=_parse,
    authenticate=_authenticate,
    capabilities=Capabilities(interactive=True, templates=True, window_hours=24),
    routing=Routing.PLATFORM_HOST,
    account_field="phone_number_id",
    handshake=_handshake,
    status_rank=status_rank,
    redeliver=_redeliver,
)
