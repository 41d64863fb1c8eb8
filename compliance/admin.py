from django.contrib import admin
from django.contrib.admin.utils import display_for_field
from django.utils.html import format_html_join

from compliance.audit.history import ACTIONS, entry_changes
from compliance.models import AuditArchiveSegment, AuditEvent, SettingsChange
from secretaria.admin_sites import ReadOnlyAdmin, tenant_admin

# What each action of the trail means, as the DPO reads it; an action not listed shows its code.
ACTION_LABELS = {
    "company.provisioned": "Empresa criada",
    "user.role_changed": "Papel de usuário alterado",
    "user.deactivated": "Usuário desativado",
    "security.login_failures": "Muitas tentativas de login",
    "security.prompt_injection": "Tentativa de manipular a assistente recusada",
    "conversation.handed_off": "Conversa passada para a equipe",
    "conversation.handed_back": "Conversa devolvida à assistente",
    "conversation.staff_replied": "Equipe respondeu ao cliente",
    "dead_letter.reprocessed": "Falha reprocessada",
    "agenda.followup_negative": "Avaliação negativa no follow-up",
    "agenda.calendar_configured": "Agenda configurada",
    "agenda.service_created": "Serviço criado",
    "agenda.professional_created": "Profissional criado",
    "channel.created": "Canal criado",
    "channel.updated": "Canal alterado",
    "channel.deleted": "Canal excluído",
    "channel.secret_rotated": "Segredo do webhook do canal trocado",
    "billing.subscription_changed": "Assinatura alterada",
    "templates.reply_template_changed": "Modelo de resposta alterado",
    "templates.reply_template_reset": "Modelo de resposta restaurado ao padrão",
    "templates.abtest_created": "Teste A/B criado",
    "templates.abtest_started": "Teste A/B iniciado",
    "templates.abtest_paused": "Teste A/B pausado",
    "templates.abtest_stopped": "Teste A/B encerrado",
    "analytics.feedback_key_created": "Chave de integração criada",
    "analytics.feedback_key_revoked": "Chave de integração revogada",
    "analytics.webhook_created": "Webhook de saída criado",
    "analytics.webhook_changed": "Webhook de saída alterado",
    "analytics.webhook_deleted": "Webhook de saída excluído",
    "lgpd.export": "Exportação de dados (LGPD)",
    "lgpd.erasure": "Exclusão de dados (LGPD)",
    "lgpd.opt_out": "Cliente deixou de receber mensagens (LGPD)",
    "lgpd.opt_in": "Cliente voltou a receber mensagens (LGPD)",
    "lgpd.retention": "Política de retenção aplicada",
    "audit.archived": "Trilha arquivada",
    "audit.chain_verified": "Trilha verificada: íntegra",
    "audit.chain_broken": "Trilha verificada: ADULTERADA",
    "audit.exported": "Trilha exportada",
}


class ActionFilter(admin.SimpleListFilter):
    """The actions present in the trail, by their names."""

    title = "ação"
    parameter_name = "acao"

    def lookups(self, request, model_admin):
        codes = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
        return [(code, action_label(code)) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


@admin.register(AuditEvent, site=tenant_admin)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor", "action_shown", "target"]
    list_filter = [ActionFilter]
    search_fields = ["action", "target", "actor"]
    readonly_fields = ["seq", "created_at", "actor", "action_shown", "target", "data_shown", "key", "prev_hash",
                       "key_id", "hash"]

    @admin.display(description="ação", ordering="action")
    def action_shown(self, event: AuditEvent) -> str:
        label = action_label(event.action)
        return label if label == event.action else f"{label} ({event.action})"

    @admin.display(description="dados")
    def data_shown(self, event: AuditEvent) -> str:
        # One "chave: valor" a line: the trail's own names, kept as recorded (they are what the seal covers).
        return format_html_join("", "<div>{}: {}</div>", sorted((event.data or {}).items())) or "—"


@admin.register(AuditArchiveSegment, site=tenant_admin)
class AuditArchiveSegmentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "created_at", "key_id"]
    exclude = ["rows"]  # thousands of entries: exported through /api/compliance/audit/export instead
    readonly_fields = ["first_seq", "last_seq", "first_prev_hash", "last_hash", "key_id", "mac", "created_at"]


class LogActionFilter(admin.SimpleListFilter):
    """auditlog's actions by their pt-BR names (its own labels are English)."""

    title = "ação"
    parameter_name = "acao"

    def lookups(self, request, model_admin):
        return list(ACTIONS.items())

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(SettingsChange, site=tenant_admin)
class SettingsChangeAdmin(ReadOnlyAdmin):
    """django-auditlog's field-level changes of the company's settings and catalogue (read-only)."""

    list_display = ["when", "object_label", "action_label", "actor_label", "changes_summary"]
    list_filter = [LogActionFilter, "content_type"]
    list_select_related = ["content_type", "actor"]
    search_fields = ["object_repr", "changes_text"]
    date_hierarchy = "timestamp"
    fields = ["when", "object_label", "action_label", "actor_label", "changes_table"]
    readonly_fields = fields

    @admin.display(description="quando", ordering="timestamp")
    def when(self, obj):
        return display_for_field(obj.timestamp, SettingsChange._meta.get_field("timestamp"), "—")

    @admin.display(description="objeto", ordering="object_repr")
    def object_label(self, obj):
        model = obj.content_type.model_class()
        return f"{model._meta.verbose_name if model else obj.content_type.model}: {obj.object_repr}"

    @admin.display(description="ação", ordering="action")
    def action_label(self, obj):
        return ACTIONS.get(obj.action, obj.action)

    @admin.display(description="quem")
    def actor_label(self, obj):
        return obj.actor or "sistema"

    @admin.display(description="campos alterados")
    def changes_summary(self, obj):
        return ", ".join(label for label, _, _ in entry_changes(obj))

    @admin.display(description="alterações")
    def changes_table(self, obj):
        return "; ".join(f"{label}: {before!r} → {after!r}" for label, before, after in entry_changes(obj))


# The LGPD rights' admin (requests, consents, retention; contacts and appointments erased, not deleted).
import compliance.lgpd.admin  # noqa: E402, F401
