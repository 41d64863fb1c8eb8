"""The customer's LGPD self-service over WhatsApp, a turn handler (conversations/turns.py) registered
in ComplianceConfig.ready() ahead of the agenda's booking chat.

- "quero meus dados", "o que vocês sabem sobre mim" -> a confirmation -> "sim" -> the export's link,
  in the reply, so only the number that asked receives it;
- "apaga meus dados", "esquece meu número" -> a confirmation -> "sim" -> erased once the
  confirmation has left (compliance.lgpd_erasure_run waits for it: the number is part of what goes);
- "parar", "sair", "não quero mais receber mensagens" -> no more business-initiated messages;
  "quero continuar recebendo lembretes" keeps the reminders; "quero voltar a receber mensagens" undoes it.

The pending question is the DataRequest itself (status awaiting_confirmation), fresh for 15 minutes.
Every answer is one of the company's template slots (`lgpd_*`, secretaria/texts.py).
Anything else LGPD-ish ("lgpd?") is left to the engine, which hands it to a person.
"""

import re
from datetime import timedelta

from django.db import transaction

from agenda.models import Appointment
from compliance.lgpd import exports
from compliance.lgpd.models import DataRequest
from compliance.lgpd.selectors import data_request_awaiting
from compliance.lgpd.services import (
    CUSTOMER,
    consent_change,
    data_request_open,
    export_build,
    request_cancel,
    request_confirm,
)
from conversations.assistant.engine.intents import lgpd_kind
from conversations.assistant.engine.tone import first_name
from conversations.turns import Intent, Turn, TurnHandler, TurnReply
from secretaria import texts
from secretaria.ptbr import fold
from secretaria.queue import task_delay
from tenants.selectors import company_current

Kind, Status = DataRequest.Kind, DataRequest.Status
QUESTION_TTL = timedelta(minutes=15)

# What an LGPD request asks for (erasure, access, opt-out) is read by the engine, from the same wording
# tables as its intent (conversations/assistant/engine/data/intents_ptbr.py); these two are ours alone.
KEEP_REMINDERS = re.compile(
    r"\b(quero|queria|prefiro) (continuar|seguir) receb\w* (os |so os |apenas os )?lembretes?\b")
OPT_IN = re.compile(r"\b(quero|queria) (voltar a|volta a) receber (as |suas )?(mensagens|avisos|novidades)\b")
YES = re.compile(r"^(sim|s|confirmo|confirmar|pode|pode sim|isso|quero|claro|ok|pode apagar|pode mandar|pode enviar)"
                 r"\b[\s!.👍]*$")
NO = re.compile(r"^(nao|n|cancela|cancelar|deixa|deixa pra la|desisto|melhor nao)\b")

def lgpd_turn(turn: Turn) -> TurnReply | None:
    """The reply when the burst is an LGPD request or the answer to our confirmation; None otherwise."""
    text = fold(turn.text).strip()
    if not text or turn.handoff or getattr(turn.contact, "erased_at", None):
        return None
    pending = data_request_awaiting(contact=turn.contact, since=turn.now - QUESTION_TTL)
    if pending is not None and (reply := _answer(pending, text, turn.contact)):
        return reply
    return _request(turn, text)


def _answer(pending: DataRequest, text: str, contact) -> TurnReply | None:
    if NO.match(text):
        request_cancel(request=pending)
        return _reply("lgpd_cancelled", contact)
    if not YES.match(text):
        return None  # something else: the question stays open (it expires by itself)
    request = request_confirm(request=pending)
    if request.kind == Kind.ACCESS:
        return _reply("lgpd_access_sent", contact, link=_link(export_build(request_id=request.pk)))
    # The text is rendered before the erasure task can run: it still names the contact. Not here and now:
    # this reply still has to reach the number being erased (the task waits for it).
    reply = _reply("lgpd_erasing", contact)
    transaction.on_commit(lambda: task_delay("compliance.lgpd_erasure_run", request.pk))
    return reply


def _request(turn: Turn, text: str) -> TurnReply | None:
    contact = turn.contact
    kind = lgpd_kind(text)
    if kind == "erasure":
        _ask(contact, Kind.ERASURE)
        return _reply("lgpd_erasure_ask", contact)
    if KEEP_REMINDERS.search(text):
        consent_change(contact=contact, kind=Kind.OPT_OUT, requested_by=CUSTOMER,
                       channel=DataRequest.Channel.WHATSAPP, keep_reminders=True)
        upcoming = _has_upcoming(contact, turn.now)
        return _reply("lgpd_reminders_kept" if upcoming else "lgpd_reminders_kept_no_appointment", contact)
    if OPT_IN.search(text):
        consent_change(contact=contact, kind=Kind.OPT_IN, requested_by=CUSTOMER, channel=DataRequest.Channel.WHATSAPP)
        return _reply("lgpd_opted_in", contact)
    if kind == "opt_out":
        consent_change(contact=contact, kind=Kind.OPT_OUT, requested_by=CUSTOMER,
                       channel=DataRequest.Channel.WHATSAPP)
        return _reply("lgpd_opted_out", contact)
    if kind == "access":
        _ask(contact, Kind.ACCESS)
        return _reply("lgpd_access_ask", contact)
    return None


def _ask(contact, kind: str) -> DataRequest:
    return data_request_open(kind=kind, contact=contact, requested_by=CUSTOMER, channel=DataRequest.Channel.WHATSAPP,
                             status=Status.AWAITING_CONFIRMATION)


def _has_upcoming(contact, now) -> bool:
    return Appointment.objects.filter(contact=contact, status__in=Appointment.ACTIVE, start__gt=now).exists()


def _link(request: DataRequest) -> str:
    domain = company_current().domains.order_by("-is_primary", "id").values_list("domain", flat=True).first()
    return exports.download_url(request_id=request.pk, host=domain or "localhost")


def _reply(slot: str, contact, **variables) -> TurnReply:
    """The company's text for `slot` (the defaults: templates/replies/slots/compliance.toml)."""
    names = {"nome": first_name(contact.name), "empresa": company_current().name}
    return TurnReply(texts.text(slot, {**names, **variables}, contact_id=contact.pk), Intent.LGPD_REQUEST)


# Before the agenda (100): "sim" answers our question when we asked one; "parar" is never a booking.
LGPD_TURN_HANDLER = TurnHandler(name="lgpd", answer=lgpd_turn, priority=50)
