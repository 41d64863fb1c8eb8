"""The inbox's pages and polls, mounted at /admin/inbox/ (screens.py wraps each in the admin's login).

Every view checks its own permission (the menu only hides the screen): reading needs
`view_conversation` (every role), acting `change_conversation` and, to write to the customer,
`add_message` (operators and up), as the API does. The polls answer 304 when nothing changed.
"""

import uuid
import zlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from conversations.core.handoff import conversation_hand_back, conversation_handoff
from conversations.core.labels import handoff_reason
from conversations.core.models import Conversation
from conversations.inbox import selectors
from conversations.inbox.present import bubble
from conversations.inbox.services import inbox_close, inbox_mark_seen, inbox_reply
from secretaria.admin_sites import tenant_admin
from secretaria.panel.formats import phone
from secretaria.panel.views import screen_page

VIEW = "conversations.view_conversation"
ACT = "conversations.change_conversation"
WRITE = "conversations.add_message"


def may_see(user) -> bool:
    return user.has_perm(VIEW)


def _require(request, *perms: str) -> None:
    if not all(request.user.has_perm(perm) for perm in perms):
        raise PermissionDenied


def _unchanged(request, etag: str) -> bool:
    sent = request.headers.get("If-None-Match", "").strip()
    return sent.removeprefix("W/").strip('"') == etag


def _fresh_key() -> str:
    # One per rendered form: the same form posted twice sends one message (staff_reply's idempotency).
    return uuid.uuid4().hex


# --- the queue -----------------------------------------------------------------------------------

@require_GET
def queue(request):
    _require(request, VIEW)
    found = selectors.inbox_queue(query=request.GET.get("q", ""))
    return screen_page(request, tenant_admin, template="inbox/queue.html", title="Caixa de entrada",
                       queue=found, etag=_queue_etag(found.query))


@require_GET
def queue_poll(request):
    """The queue's sections as HTML, or 304 when no message, handoff or close happened since."""
    _require(request, VIEW)
    query = selectors.search_query(request.GET.get("q", ""))
    etag = _queue_etag(query)
    if _unchanged(request, etag):
        return HttpResponseNotModified()
    html = render_to_string("inbox/_queue.html", {"queue": selectors.inbox_queue(query=query)},
                            request=request)
    response = HttpResponse(html)
    response["ETag"] = f'"{etag}"'
    return response


def _queue_etag(query: str) -> str:
    # The minute is part of it: the wait times shown ("4 min") move on even when nothing else does.
    return f"{selectors.inbox_marker()}-{timezone.now():%H%M}-{zlib.crc32(query.encode()):x}"


# --- the handoff notice (every page) -------------------------------------------------------------

@require_GET
def pulse(request):
    """The latest conversations waiting for a person, for the notice every panel page shows."""
    _require(request, VIEW)
    etag = selectors.inbox_marker()
    if _unchanged(request, etag):
        return HttpResponseNotModified()
    handoffs = [_handoff_json(c) for c in selectors.handoffs_waiting()]
    response = JsonResponse({"now": _ms(timezone.now()), "handoffs": handoffs})
    response["ETag"] = f'"{etag}"'
    return response


def _handoff_json(conversation: Conversation) -> dict:
    contact = conversation.contact
    return {"id": conversation.pk, "at": _ms(conversation.handoff_at), "name": contact.name or "Cliente",
            "phone": phone(contact.phone), "reason": handoff_reason(conversation.handoff_reason),
            "url": reverse("admin:inbox_thread", args=[conversation.pk])}


def _ms(moment) -> int:
    return int(moment.timestamp() * 1000)


# --- a thread ------------------------------------------------------------------------------------

@require_GET
def thread(request, pk: int):
    _require(request, VIEW)
    conversation = selectors.inbox_conversation(pk=pk)
    shown = selectors.thread_messages(conversation=conversation)
    last_id = shown[-1].pk if shown else 0
    if request.user.has_perm(ACT):  # a viewer reading does not mark it read for those who answer
        inbox_mark_seen(conversation=conversation, message_id=last_id)
    context = {**_thread_context(request, conversation), "bubbles": [bubble(m, conversation.contact) for m in shown],
               "last_id": last_id, "etag": selectors.thread_etag(conversation=conversation, last_id=last_id),
               "reach": selectors.conversation_reach(conversation=conversation), "reply_key": _fresh_key(),
               "templates": selectors.STAFF_TEMPLATES,
               "history": selectors.contact_conversations(conversation=conversation)}
    return screen_page(request, tenant_admin, template="inbox/thread.html", title=_title(conversation), **context)


def _title(conversation: Conversation) -> str:
    return f"Conversa com {conversation.contact.name or phone(conversation.contact.phone)}"


def _thread_context(request, conversation: Conversation) -> dict:
    can_act = request.user.has_perm(ACT)
    waiting = conversation.handoff_at if conversation.status == Conversation.Status.HANDOFF else None
    return {"conversation": conversation, "contact": conversation.contact, "can_act": can_act,
            "can_reply": can_act and request.user.has_perm(WRITE) and conversation.status != "closed",
            "reason": handoff_reason(conversation.handoff_reason),
            "wait_seconds": (timezone.now() - waiting).total_seconds() if waiting else None}


@require_GET
def thread_poll(request, pk: int):
    """The thread's messages after `after`, and its header when its state changed; 304 when nothing did."""
    _require(request, VIEW)
    conversation = selectors.inbox_conversation(pk=pk)
    last_id = selectors.thread_last_id(conversation=conversation)
    etag = selectors.thread_etag(conversation=conversation, last_id=last_id)
    if _unchanged(request, etag):
        return HttpResponseNotModified()
    shown = selectors.thread_messages(conversation=conversation, after=_int(request.GET.get("after")))
    if shown and request.user.has_perm(ACT):
        inbox_mark_seen(conversation=conversation, message_id=shown[-1].pk)
    html = "".join(render_to_string("inbox/_message.html", {"b": bubble(m, conversation.contact)}) for m in shown)
    head = render_to_string("inbox/_thread_head.html", _thread_context(request, conversation), request=request)
    response = JsonResponse({"html": html, "last_id": shown[-1].pk if shown else last_id, "head": head})
    response["ETag"] = f'"{etag}"'
    return response


def _int(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


# --- actions -------------------------------------------------------------------------------------

class ReplyForm(forms.Form):
    text = forms.CharField(max_length=4096, error_messages={"required": "Escreva a mensagem."})
    key = forms.RegexField(r"^[A-Za-z0-9_.:-]+$", max_length=64, required=False)


class TemplateForm(ReplyForm):
    slot = forms.ChoiceField(choices=list(selectors.STAFF_TEMPLATES.items()))
    original = forms.CharField(required=False, max_length=4096)


@require_POST
def reply(request, pk: int):
    _require(request, VIEW, ACT, WRITE)
    conversation = selectors.inbox_conversation(pk=pk)
    form = ReplyForm(request.POST)
    if _done(request, form, lambda data: inbox_reply(conversation=conversation, author=request.user,
                                                     text=data["text"], key=data["key"])):
        messages.success(request, "Resposta enviada para a fila de envio do WhatsApp.")
    return _back(conversation)


def template(request, pk: int):
    """GET: the company's text for a slot, filled for this contact, to edit; POST: send it."""
    _require(request, VIEW, ACT, WRITE)
    conversation = selectors.inbox_conversation(pk=pk)
    if request.method == "POST":
        return _template_send(request, conversation)
    try:
        rendered = selectors.template_render(conversation=conversation, slot=request.GET.get("modelo", ""))
    except KeyError:
        raise Http404("Modelo desconhecido.") from None
    return screen_page(request, tenant_admin, template="inbox/template.html", title=f"Modelo: {rendered.label}",
                       conversation=conversation, contact=conversation.contact, rendered=rendered,
                       reach=selectors.conversation_reach(conversation=conversation), reply_key=_fresh_key())


def _template_send(request, conversation: Conversation):
    form = TemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(conversation)
    data = form.cleaned_data
    rendered = selectors.template_render(conversation=conversation, slot=data["slot"])
    # An edited text no longer is the company's template: outside the window it cannot ride the approved one.
    unedited = data["text"].strip() == data["original"].strip()
    if _done(request, form, lambda _: inbox_reply(
            conversation=conversation, author=request.user, text=data["text"], key=data["key"],
            slot=rendered.slot if unedited else "", variables=rendered.variables,
            approved_template=unedited and bool(rendered.approved_template))):
        messages.success(request, f"Modelo “{rendered.label}” enviado para a fila de envio do WhatsApp.")
    return _back(conversation)


@require_POST
def take_over(request, pk: int):
    _require(request, VIEW, ACT)
    conversation = selectors.inbox_conversation(pk=pk)
    if _done(request, None, lambda _: conversation_handoff(conversation=conversation, reason="", actor=request.user)):
        messages.success(request, "Você assumiu o atendimento: a assistente não responde mais nesta conversa.")
    return _back(conversation)


@require_POST
def hand_back(request, pk: int):
    _require(request, VIEW, ACT)
    conversation = selectors.inbox_conversation(pk=pk)
    if _done(request, None, lambda _: conversation_hand_back(conversation=conversation, actor=request.user)):
        messages.success(request, "Conversa devolvida à assistente.")
    return _back(conversation)


@require_POST
def close(request, pk: int):
    _require(request, VIEW, ACT)
    conversation = selectors.inbox_conversation(pk=pk)
    if _done(request, None, lambda _: inbox_close(conversation=conversation, actor=request.user)):
        messages.success(request, "Conversa encerrada. Se o cliente escrever de novo, começa uma nova conversa.")
    return _back(conversation)


def _done(request, form, action) -> bool:
    """Run `action(cleaned data)`; a refusal (invalid form, ValidationError) becomes a message on the page."""
    if form is not None and not form.is_valid():
        messages.error(request, _first_error(form))
        return False
    try:
        action(form.cleaned_data if form is not None else None)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    return True


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


def _back(conversation: Conversation):
    return redirect(reverse("admin:inbox_thread", args=[conversation.pk]) + "#responder")
