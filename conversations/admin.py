"""Conversations on the company admin: the inbox, the failure queue and the assistant's settings.

What each role may do comes from its model permissions (accounts/roles.py); on top:
- what the system writes (messages, sends, AI calls) is read-only for everybody;
- staff act on conversations and failures through the same services as the API
  (a reply goes out through the outbox, a hand-back is audited);
- the assistant's settings live in admin_settings.py (imported here, so registered).
"""

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from conversations.admin_settings import ReadOnlyAdmin  # also registers the settings models
from conversations.core.dead_letters import OUTCOME_LABELS, dead_letter_reprocess
from conversations.core.handoff import conversation_hand_back, conversation_handoff, staff_reply
from conversations.core.models import Contact, Conversation, DeadLetter, Message, Outbox
from secretaria.admin_sites import tenant_admin


@admin.register(Contact, site=tenant_admin)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["phone", "name", "last_message_at", "created_at"]
    search_fields = ["phone", "name"]
    readonly_fields = ["last_message_at", "created_at"]


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["created_at", "direction", "text", "sent_by", "state", "delivery_status"]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
class ConversationAdmin(admin.ModelAdmin):
    form = ConversationStaffForm
    list_display = ["contact", "status", "last_activity_at", "handoff_at", "handoff_reason"]
    list_filter = ["status", "last_activity_at"]
    search_fields = ["contact__phone", "contact__name"]
    list_select_related = ["contact"]
    inlines = [MessageInline]
    readonly_fields = ["contact", "status", "handoff_reason", "summary", "intents", "opened_at",
                       "last_activity_at", "handoff_at", "closed_at"]
    actions = ["take_over", "hand_back"]

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
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "contact", "direction", "kind", "text", "state", "sent_by"]
    list_filter = ["direction", "state", "kind"]
    search_fields = ["contact__phone", "text"]
    list_select_related = ["contact"]


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
