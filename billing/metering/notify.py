"""How a quota alert reaches the owner: e-mail (Django's mail), WhatsApp through a registered sender.

Only conversations can send WhatsApp messages, and billing may not import it: conversations
registers a sender here (`register_whatsapp_sender`) that records the message through its outreach
service, so it leaves exactly once (its outbox key) through the company's channel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import structlog
from django.conf import settings
from django.core.mail import send_mail

from accounts.roles import Role
from accounts.selectors import user_list

log = structlog.get_logger(__name__)
# Outreach kinds that are the platform talking to the owner, not the company's usage.
PLATFORM_OUTREACH = ("quota_alert",)

# sender(phone, text, key): records the message to send, once per key; runs in the company's schema.
WhatsAppSender = Callable[[str, str, str], None]
_senders: list[WhatsAppSender] = []
_lock = threading.Lock()


def register_whatsapp_sender(sender: WhatsAppSender) -> None:
    with _lock:
        _senders[:] = [sender]


def owner_emails() -> list[str]:
    """The active owners' e-mails in the current company's schema."""
    return list(user_list(role=Role.OWNER, active=True).values_list("email", flat=True))


def alert_email(*, subject: str, body: str) -> int:
    recipients = owner_emails()
    if not recipients:
        log.warning("quota_alert_no_owner")
        return 0
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)


def alert_whatsapp(*, phone: str, text: str, key: str) -> bool:
    with _lock:
        senders = list(_senders)
    if not phone or not senders:
        return False
    senders[0](phone, text, key)
    return True
