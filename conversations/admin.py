"""Conversations on the company admin: the inbox, the failure queue and the assistant's settings.

What each role may do comes from its model permissions (accounts/roles.py); on top:
- what the system writes (messages, sends, AI calls) is read-only for everybody;
- staff act on conversations and failures through the same services as the API
  (a reply goes out through the outbox, a hand-back is audited);
- the assistant's settings live in admin_settings.py (imported here, so registered).

Contacts, conversations and messages read in pt-BR: codes in words (conversations/core/labels.py),
phones as `+55 11 98765-4321`, dates in the company's zone; each conversation links to its thread
in the inbox (/admin/inbox/<id>/), where staff work, and a phone search takes any format.
"""

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from conversations.admin_settings import ReadOnlyAdmin  # also registers the settings models
from conversations.core import labels
from conversations.core.contacts import phone_search_digits
from conversations.core.dead_letters import OUTCOME_LABELS, dead_letter_reprocess
from conversations.core.handoff import conversation_hand_back, conversation_handoff, staff_reply
from conversations.core.models import Contact, Conversation, DeadLetter, Message, Outbox
from secretaria.admin_sites import tenant_admin
from secretaria.panel.formats import phone, when


class PhoneSearch:
    """A search that looks like a phone, in any format ("+55 (11) 98765-4321", "11 98765"), is
    searched by its digits (phones are stored as digits, country code first)."""

    phone_lookup = "phone"

    def get_search_results(self, request, queryset, search_term):
        digits = phone_search_digits(search_term)
        if digits:
            return queryset.filter(**{f"{self.phone_lookup}__contains": digits}), False
        return super().get_search_results(request, queryset, search_term)


def _choices_filter(title: str, field: str, words: dict[str, str]):
    """A list filter with a pt-BR title and the choices in words."""

    class Filter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return list(words.items())

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    Filter.title = title
    return Filter


def _inbox_link(conversation: Conversation):
    url = reverse("admin:inbox_thread", args=[conversation.pk])
    return format_html('<a href="{}" data-inbox-link>Abrir na caixa de entrada</a>', url)


def _who(message: Message) -> str:
    if message.direction == Message.Direction.IN:
        return "Cliente"
    return f"Equipe ({message.sent_by})" if message.sent_by else "Assistente"


@admin.register(Contact, site=tenant_admin)
class ContactAdmin(PhoneSearch, admin.ModelAdmin):
    list_display = ["name", "telefone", "ultima_mensagem", "criado_em"]
    list_display_links = ["name", "telefone"]
    search_fields = ["phone", "name"]
    readonly_fields = ["last_message_at", "created_at"]

    @admin.display(description="telefone", ordering="phone")
    def telefone(self, contact: Contact) -> str:
        return phone(contact.phone)

    @admin.display(description="última mensagem", ordering="last_message_at")
    def ultima_mensagem(self, contact: Contact) -> str:
        return when(contact.last_message_at) or "—"

    @admin.display(description="criado em", ordering="created_at")
    def criado_em(self, contact: Contact) -> str:
        return when(contact.created_at)


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["quando", "de", "texto", "situacao", "entrega"]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = "mensagens (do mais antigo ao mais recente)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="quando")
    def quando(self, message: Message) -> str:
        return when(message.created_at)

    @admin.display(description="de")
    def de(self, message: Message) -> str:
        return _who(message)

    @admin.display(description="texto")
    def texto(self, message: Message) -> str:
        return message.text

    @admin.display(description="situação")
    def situacao(self, message: Message) -> str:
        return message.get_state_display()

    @admin.display(description="entrega")
    def entrega(self, message: Message) -> str:
        return labels.DELIVERY.get(message.delivery_status, message.delivery_status) or "—"


class ConversationStaffForm(forms.ModelForm):
    """No model field is edited by hand: the form only carries what staff ask the services to do."""

    reply = forms.CharField(label="responder ao cliente", required=False, max_length=4096,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="Enviada pelo WhatsApp em seu nome; o assistente fica em silêncio.")
    hand_back = forms.BooleanField(label="devolver ao assistente", required=False)
    # Fresh on each render: saving the same page twice sends the reply once.
    reply_key = forms.CharField(widget=forms.HiddenInput, required=False, initial=lambda: uuid.uuid4().hex)

    class Meta:
        model = Conversation
        fields = []

    def clean(self):
        data = super().clean()
        if (data.get("reply") or data.get("hand_back")) and self.instance.status == Conversation.Status.CLOSED:
            raise ValidationError("Esta conversa está encerrada.")
        return data


@admin.register(Conversation, site=tenant_admin)
class ConversationAdmin(PhoneSearch, admin.ModelAdmin):
    form = ConversationStaffForm
    phone_lookup = "contact__phone"
    list_display = ["contato", "telefone", "status", "ultima_atividade", "motivo", "caixa_de_entrada"]
    list_filter = ["status", "last_activity_at"]
    search_fields = ["contact__phone", "contact__name"]
    list_select_related = ["contact"]
    inlines = [MessageInline]
    readonly_fields = ["caixa_de_entrada", "contato", "telefone", "status", "motivo", "summary", "intencoes",
                       "aberta_em", "ultima_atividade", "com_a_equipe_desde", "encerrada_em"]
    actions = ["take_over", "hand_back"]

    @admin.display(description="contato", ordering="contact__name")
    def contato(self, conversation: Conversation) -> str:
        return conversation.contact.name or phone(conversation.contact.phone)

    @admin.display(description="telefone", ordering="contact__phone")
    def telefone(self, conversation: Conversation) -> str:
        return phone(conversation.contact.phone)

    @admin.display(description="motivo do atendimento humano")
    def motivo(self, conversation: Conversation) -> str:
        return labels.handoff_reason(conversation.handoff_reason) or "—"

    @admin.display(description="assuntos")
    def intencoes(self, conversation: Conversation) -> str:
        return labels.intents(conversation.intents) or "—"

    @admin.display(description="aberta em", ordering="opened_at")
    def aberta_em(self, conversation: Conversation) -> str:
        return when(conversation.opened_at)

    @admin.display(description="última atividade", ordering="last_activity_at")
    def ultima_atividade(self, conversation: Conversation) -> str:
        return when(conversation.last_activity_at)

    @admin.display(description="com a equipe desde", ordering="handoff_at")
    def com_a_equipe_desde(self, conversation: Conversation) -> str:
        return when(conversation.handoff_at) or "—"

    @admin.display(description="encerrada em", ordering="closed_at")
    def encerrada_em(self, conversation: Conversation) -> str:
        return when(conversation.closed_at) or "—"

    @admin.display(description="caixa de entrada")
    def caixa_de_entrada(self, conversation: Conversation):
        return _inbox_link(conversation)

    def get_fields(self, request, obj=None):
        staff = ["reply", "hand_back", "reply_key"] if self.has_change_permission(request, obj) else []
        return [*self.readonly_fields, *staff]

    def has_add_permission(self, request):
        return False  # conversations open when customers write

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if data.get("reply", "").strip():
                staff_reply(conversation=obj, author=request.user, text=data["reply"],
                            idempotency_key=data.get("reply_key", ""))
                messages.success(request, "Resposta enviada para a fila de envio.")
            if data.get("hand_back"):
                conversation_hand_back(conversation=obj, actor=request.user)
                messages.success(request, "Conversa devolvida ao assistente.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))

    def save_related(self, request, form, formsets, change):
        """The inline is read-only; nothing related is written from this page."""

    def construct_change_message(self, request, form, formsets, add=False):
        return super().construct_change_message(request, form, [], add)  # the unsaved read-only inline

    @admin.action(description="Assumir o atendimento (o assistente fica em silêncio)", permissions=["change"])
    def take_over(self, request, queryset):
        self._each(request, queryset, lambda c: conversation_handoff(conversation=c, reason="", actor=request.user),
                   "assumida(s) pela equipe")

    @admin.action(description="Devolver ao assistente", permissions=["change"])
    def hand_back(self, request, queryset):
        self._each(request, queryset, lambda c: conversation_hand_back(conversation=c, actor=request.user),
                   "devolvida(s) ao assistente")

    def _each(self, request, queryset, service, done: str) -> None:
        count = 0
        for conversation in queryset.select_related("contact"):
            try:
                service(conversation)
                count += 1
            except ValidationError as exc:
                messages.error(request, f"{conversation}: {' '.join(exc.messages)}")
        if count:
            messages.success(request, f"{count} conversa(s) {done}.")


@admin.register(Message, site=tenant_admin)
class MessageAdmin(PhoneSearch, ReadOnlyAdmin):
    phone_lookup = "contact__phone"
    list_display = ["quando", "contato", "telefone", "de", "tipo", "texto", "situacao", "conversa"]
    list_filter = [
        _choices_filter("de", "direction", {Message.Direction.IN: "Cliente", Message.Direction.OUT: "Enviada por nós"}),
        _choices_filter("situação", "state", dict(Message.State.choices)),
        _choices_filter("tipo", "kind", {"text": "Texto", **labels.KINDS}),
    ]
    search_fields = ["contact__phone", "text"]
    list_select_related = ["contact"]

    @admin.display(description="quando", ordering="created_at")
    def quando(self, message: Message) -> str:
        return when(message.created_at)

    @admin.display(description="contato", ordering="contact__name")
    def contato(self, message: Message) -> str:
        return message.contact.name or phone(message.contact.phone)

    @admin.display(description="telefone", ordering="contact__phone")
    def telefone(self, message: Message) -> str:
        return phone(message.contact.phone)

    @admin.display(description="texto")
    def texto(self, message: Message) -> str:
        return message.text[:120]

    @admin.display(description="de", ordering="direction")
    def de(self, message: Message) -> str:
        return _who(message)

    @admin.display(description="tipo", ordering="kind")
    def tipo(self, message: Message) -> str:
        return "Texto" if message.kind == "text" else labels.KINDS.get(message.kind, message.kind)

    @admin.display(description="situação", ordering="state")
    def situacao(self, message: Message) -> str:
        return message.get_state_display()

    @admin.display(description="conversa")
    def conversa(self, message: Message):
        return _inbox_link(message.conversation) if message.conversation_id else "—"


@admin.register(Outbox, site=tenant_admin)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "idempotency_key", "state", "attempts", "attempted_at", "sent_at", "last_error"]
    list_filter = ["state"]
    search_fields = ["idempotency_key"]


@admin.register(DeadLetter, site=tenant_admin)
class DeadLetterAdmin(admin.ModelAdmin):
    """Read-only rows; the one thing staff do is reprocess them (operators and up, like the API)."""

    list_display = ["created_at", "source", "reason", "reprocess_count", "reprocessed_at"]
    list_filter = ["source", ("reprocessed_at", admin.EmptyFieldListFilter)]
    search_fields = ["reason"]
    readonly_fields = ["source", "reason", "payload", "message", "created_at", "reprocessed_at", "reprocess_count"]
    actions = ["reprocess"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_reprocess_permission(self, request):
        return request.user.has_perm("conversations.change_deadletter")

    @admin.action(description="Reprocessar", permissions=["reprocess"])
    def reprocess(self, request, queryset):
        for dead_letter in queryset:
            try:
                outcome = dead_letter_reprocess(dead_letter=dead_letter, actor=request.user)
            except ValidationError as exc:
                messages.error(request, f"Falha #{dead_letter.pk}: {' '.join(exc.messages)}")
            else:
                label = OUTCOME_LABELS.get(outcome, outcome)
                messages.success(request, f"Falha #{dead_letter.pk} reprocessada ({label}).")
