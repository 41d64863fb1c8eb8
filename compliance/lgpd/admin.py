"""The LGPD rights on the company admin.

- the DPO's register of requests and the consent history (read-only);
- the retention policy, with what it would remove right now and a "run now" action;
- on contacts: "Exportar dados (LGPD)" and "Apagar dados (LGPD)"; and deleting a contact or an
  appointment erases it through the same services (a plain delete would be refused by the protected
  appointments, and would take the company's counts with it).

The contact and appointment admins are the conversations' and the agenda's, extended here and
registered again: those floors cannot import compliance (docs/architecture.md).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from agenda.admin.appointments import AppointmentAdmin
from agenda.models import Appointment
from agenda.types import AgendaError
from compliance.lgpd.erasure import appointment_erase
from compliance.lgpd.models import Consent, DataRequest, RetentionPolicy
from compliance.lgpd.retention import retention_dry_run, retention_run
from compliance.lgpd.selectors import retention_policy
from compliance.lgpd.services import erasure_of_contact, export_request
from conversations.admin import ContactAdmin
from conversations.models import Contact
from secretaria.admin_sites import ReadOnlyAdmin, tenant_admin
from secretaria.panel.formats import phone

# What a request's result counts (compliance/lgpd/erasure.py, services.py; the export's tables are
# already named in Portuguese, "eventos_de_agendamento", and read with spaces).
RESULT_LABELS = {
    "messages": "mensagens", "conversations": "conversas", "outbox": "envios", "dead_letters": "falhas",
    "appointments": "agendamentos", "appointment_events": "eventos de agendamentos", "reminders": "lembretes",
    "followups": "follow-ups", "waitlist": "lista de espera", "dialogs": "diálogos",
    "admin_log": "histórico do painel", "contacts": "contatos", "exports_deleted": "exportações apagadas",
    "webhook_deliveries": "entregas de webhooks", "feedback_comments": "comentários de avaliações",
    "opted_out": "deixou de receber mensagens", "reminders_kept": "mantém lembretes",
    "cancelled_by": "cancelado por", "error": "erro", "customer": "cliente",
}
DRY_RUN_LABELS = {"message_texts": "textos de mensagens", "conversation_summaries": "resumos de conversas",
                  "inactive_contacts": "contatos inativos", "llm_calls": "chamadas de IA",
                  "expired_exports": "exportações expiradas"}


@admin.register(DataRequest, site=tenant_admin)
class DataRequestAdmin(ReadOnlyAdmin):
    """Every request about a customer's data, for the company's DPO (encarregado)."""

    list_display = ["created_at", "kind", "status", "requested_by", "channel", "finished_at", "done"]
    list_filter = ["kind", "status", "channel", "created_at"]
    search_fields = ["requested_by", "phone_hash"]
    readonly_fields = ["kind", "status", "requested_by", "channel", "phone_hash", "contact_shown", "reason", "done",
                       "created_at", "finished_at"]
    exclude = ["file"]

    @admin.display(description="contato")
    def contact_shown(self, obj):
        return _contact(obj.contact)

    @admin.display(description="o que foi feito")
    def done(self, obj):
        return "; ".join(f"{_said(key)}: {_said(value)}" for key, value in (obj.result or {}).items()) or "—"


@admin.register(Consent, site=tenant_admin)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "contact_shown", "purpose", "granted", "source"]
    list_filter = ["purpose", "granted"]
    list_select_related = ["contact"]

    @admin.display(description="contato", ordering="contact__name")
    def contact_shown(self, obj):
        return _contact(obj.contact)


@admin.register(RetentionPolicy, site=tenant_admin)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "would_remove", "updated_at"]
    fields = ["message_text_days", "inactive_contact_days", "llm_call_days", "would_remove"]
    readonly_fields = ["would_remove"]
    actions = ["run_now"]

    @admin.display(description="seriam apagados agora")
    def would_remove(self, obj):
        counts = retention_dry_run(policy=obj)
        return "; ".join(f"{DRY_RUN_LABELS[kind]}: {n}" for kind, n in counts.items())

    def has_add_permission(self, request):
        return False  # one row per company, created with the defaults

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        retention_policy()  # the defaults appear before anyone edits them
        return super().changelist_view(request, extra_context)

    @admin.action(description="Aplicar a política agora", permissions=["change"])
    def run_now(self, request, queryset):
        counts = retention_run()
        self.message_user(request, "Retenção aplicada: " + "; ".join(
            f"{DRY_RUN_LABELS[kind]}: {n}" for kind, n in counts.items()), messages.SUCCESS)


def _contact(contact: Contact | None) -> str:
    """A customer by name, else by phone as people write it; "—" once erased or gone."""
    if contact is None:
        return "—"
    return contact.name or phone(contact.phone)


def _said(value) -> str:
    """A result's key or value as the DPO reads it: "dead_letters" -> "falhas", True -> "sim"."""
    if isinstance(value, bool):
        return "sim" if value else "não"
    return RESULT_LABELS.get(value, str(value).replace("_", " ")) if isinstance(value, str) else str(value)


# --- contacts and appointments: exported and erased through the LGPD services -----------------------


def _deleted_summary(objs, label: str):
    """What the delete confirmation lists: the rows themselves, anonymised rather than cascaded."""
    return [f"{obj} (anonimizado: os dados pessoais são apagados, as contagens ficam)" for obj in objs], \
        {label: len(objs)}, set(), []


class LgpdContactAdmin(ContactAdmin):
    actions = ["lgpd_export", "lgpd_erase"]

    @admin.action(description="Exportar dados (LGPD)", permissions=["lgpd"])
    def lgpd_export(self, request, queryset):
        for contact in queryset:
            export = export_request(phone=contact.phone, requested_by=request.user.email,
                                    channel=DataRequest.Channel.ADMIN)
            self.message_user(request, f"Exportação #{export.pk} pedida ({contact}): o link de download sai em "
                                       f"/api/compliance/exports/{export.pk}, e o pedido fica nos pedidos LGPD.")

    @admin.action(description="Apagar dados (LGPD)", permissions=["delete"])
    def lgpd_erase(self, request, queryset):
        self.delete_queryset(request, queryset)
        self.message_user(request, f"{queryset.count()} contato(s) anonimizado(s).")

    def has_lgpd_permission(self, request):
        return request.user.has_perm("compliance.add_datarequest")

    def get_deleted_objects(self, objs, request):
        return _deleted_summary(list(objs), "contatos")

    def delete_model(self, request, obj):
        erasure_of_contact(contact=obj, requested_by=request.user.email, channel=DataRequest.Channel.ADMIN,
                           reason="Excluído pelo painel")

    def delete_queryset(self, request, queryset):
        for contact in list(queryset.filter(erased_at__isnull=True)):
            self.delete_model(request, contact)


class LgpdAppointmentAdmin(AppointmentAdmin):
    def get_deleted_objects(self, objs, request):
        return _deleted_summary(list(objs), "agendamentos")

    def delete_model(self, request, obj):
        try:
            appointment_erase(appointment=obj, actor=request.user.email)
        except (AgendaError, ValidationError) as exc:
            messages.error(request, f"{obj}: {exc}")

    def delete_queryset(self, request, queryset):
        for appointment in list(queryset.select_related("contact")):
            self.delete_model(request, appointment)


for model, model_admin in ((Contact, LgpdContactAdmin), (Appointment, LgpdAppointmentAdmin)):
    tenant_admin.unregister(model)
    tenant_admin.register(model, model_admin)
