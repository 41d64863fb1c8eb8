"""Feedback on the company admin: the scores other systems sent (read-only, every member) and the
integration keys (owners and managers), created and revoked through the services, like the API.

A key's secret is shown once, in a message right after it is created; the list shows its first
characters only.
"""

from django import forms
from django.contrib import admin, messages

from analytics.feedback import services
from analytics.feedback.models import Feedback, FeedbackKey
from conversations.admin_settings import ReadOnlyAdmin
from secretaria.admin_sites import tenant_admin
from secretaria.panel.formats import phone, when

MANAGE_KEYS = "analytics.change_feedbackkey"


def _local(moment) -> str:
    return when(moment) or "—"  # the company's time zone: the panel's middleware made it the current one


@admin.register(Feedback, site=tenant_admin)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["given", "phone_shown", "contact_name", "score", "source", "short_comment", "professional",
                    "service", "handed_off"]
    list_filter = ["source", "score"]
    search_fields = ["contact__phone", "contact__name", "comment", "external_id"]
    list_select_related = ["contact", "professional", "service"]
    fields = ["external_id", "given", "phone_shown", "contact_name", "score", "source", "comment", "appointment",
              "professional", "service", "key", "sent_by", "handoff", "received"]
    readonly_fields = fields
    date_hierarchy = "given_at"

    @admin.display(description="avaliado em", ordering="given_at")
    def given(self, obj):
        return _local(obj.given_at)

    @admin.display(description="telefone", ordering="contact__phone")
    def phone_shown(self, obj):
        return phone(obj.contact.phone)

    @admin.display(description="cliente", ordering="contact__name")
    def contact_name(self, obj):
        return obj.contact.name or "—"

    @admin.display(description="comentário")
    def short_comment(self, obj):
        return obj.comment if len(obj.comment) <= 80 else obj.comment[:79] + "…"

    @admin.display(description="encaminhada à equipe", boolean=True)
    def handed_off(self, obj):
        return obj.handoff_at is not None

    @admin.display(description="encaminhada à equipe em")
    def handoff(self, obj):
        if obj.handoff_at is None:
            return "—"
        return f"{_local(obj.handoff_at)} (conversa {obj.handoff_conversation_id or 'apagada'})"

    @admin.display(description="recebida em")
    def received(self, obj):
        return _local(obj.created_at)


class FeedbackKeyForm(forms.ModelForm):
    class Meta:
        model = FeedbackKey
        fields = ["name"]


@admin.register(FeedbackKey, site=tenant_admin)
class FeedbackKeyAdmin(admin.ModelAdmin):
    form = FeedbackKeyForm
    list_display = ["name", "prefix_shown", "created", "created_by", "last_used", "status"]
    readonly_fields = ["prefix_shown", "created", "created_by", "last_used", "status"]
    actions = ["revoke"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_KEYS)  # who may send scores in the company's name

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.has_perm(MANAGE_KEYS)  # the list's action; a key is never edited

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the scores sent with it keep saying which key it was

    def get_fields(self, request, obj=None):
        return ["name"] if obj is None else ["name", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["name", *self.readonly_fields]

    @admin.display(description="chave")
    def prefix_shown(self, obj):
        return f"{obj.prefix}…"

    @admin.display(description="criada em", ordering="created_at")
    def created(self, obj):
        return _local(obj.created_at)

    @admin.display(description="último uso", ordering="last_used_at")
    def last_used(self, obj):
        return _local(obj.last_used_at)

    @admin.display(description="situação")
    def status(self, obj):
        return "Ativa" if obj.revoked_at is None else f"Revogada em {_local(obj.revoked_at)}"

    def save_model(self, request, obj, form, change):
        key, secret = services.feedback_key_create(name=form.cleaned_data["name"], actor=request.user.email)
        messages.warning(request, f"Chave de integração (aparece só agora; guarde-a no sistema que envia as "
                                  f"avaliações): {secret}")
        obj.pk, obj.prefix, obj.digest = key.pk, key.prefix, key.digest
        obj._state.adding = False

    @admin.action(description="Revogar as chaves selecionadas", permissions=["change"])
    def revoke(self, request, queryset):
        for key in queryset:
            services.feedback_key_revoke(key=key, actor=request.user.email)
        messages.success(request, f"{queryset.count()} chave(s) revogada(s): não são mais aceitas.")
