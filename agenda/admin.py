"""The agenda on the company admin: appointments with quick actions, today's agenda, settings.

What each role may do comes from its model permissions (accounts/roles.py); on top:
- appointments change only through the booking services (the same as the chat and the
  API), so history, reminders, follow-ups and the waitlist follow every change;
- what the automations write (reminders, events, insights) is read-only for everybody;
- the calendar's settings, services and professionals are company configuration:
  changing them needs `manage_settings`, like the API; Cal.com secrets are write-only.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from agenda import reports
from agenda.models import (
    Appointment,
    AppointmentEvent,
    CalendarConfig,
    FollowUp,
    Professional,
    Reminder,
    SchedulingInsight,
    Service,
    TimeOff,
    WaitlistEntry,
    WorkingHours,
)
from agenda.services.booking import (
    appointment_cancel,
    appointment_confirm,
    appointment_mark_attended,
    appointment_mark_no_show,
)
from agenda.services.calendar_settings import (
    SECRETS,
    TUNABLE,
    calcom_webhook_url,
    calendar_config_errors,
    calendar_config_resolve,
    calendar_config_set,
)
from agenda.services.config import calendar_config
from agenda.services.reminders import reminder_send_now
from agenda.types import AgendaError
from conversations.admin_settings import (
    SETTINGS_PERM,
    ReadOnlyAdmin,
    SecretKeepingForm,
    SettingsAdmin,
    SettingsChangedAdmin,
)
from secretaria.admin_sites import tenant_admin
from secretaria.limits import PROFESSIONALS, limit_form_error
from secretaria.ptbr import brl


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = AppointmentEvent
    fields = ["created_at", "kind", "actor", "data"]
    readonly_fields = fields
    ordering = ["created_at", "pk"]


class ReminderInline(ReadOnlyInline):
    model = Reminder
    fields = ["due_at", "kind", "offset_minutes", "state", "sent_at"]
    readonly_fields = fields
    ordering = ["due_at"]


class WhenFilter(admin.SimpleListFilter):
    """Days of the company's calendar (its time zone), "Hoje" being today's agenda."""

    title = "agenda"
    parameter_name = "quando"
    DAYS = {"hoje": (0, 1), "amanha": (1, 1), "semana": (0, 7), "ontem": (-1, 1)}

    def lookups(self, request, model_admin):
        return [("hoje", "Hoje"), ("amanha", "Amanhã"), ("semana", "Próximos 7 dias"), ("ontem", "Ontem")]

    def queryset(self, request, queryset):
        if self.value() not in self.DAYS:
            return queryset
        offset, days = self.DAYS[self.value()]
        start, end = reports.day_bounds(day=reports.company_today() + timedelta(days=offset), days=days)
        return queryset.filter(start__gte=start, start__lt=end)


@admin.register(Appointment, site=tenant_admin)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["start", "contact", "service", "professional", "status", "source", "risk"]
    list_filter = [WhenFilter, "status", "professional", "service", "source", "start"]
    search_fields = ["contact__phone", "contact__name"]
    list_select_related = ["contact", "service", "professional"]
    date_hierarchy = "start"
    ordering = ["start"]
    inlines = [EventInline, ReminderInline]
    fields = ["contact", "service", "professional", "start", "end", "status", "source", "provider",
              "provider_booking_id", "rescheduled_to", "notes", "cancel_reason", "risk_score", "risk_factors",
              "confirmed_at", "created_at", "updated_at"]
    # Staff write notes; everything else changes through the actions (the booking services).
    readonly_fields = [name for name in fields if name != "notes"]
    actions = ["confirm", "mark_attended", "mark_no_show", "cancel", "send_reminder"]
    change_list_template = "admin/agenda/appointment/change_list.html"

    @admin.display(description="risco de falta", ordering="risk_score")
    def risk(self, obj):
        return "—" if obj.risk_score is None else f"{obj.risk_score:.0%}"

    def has_add_permission(self, request):
        return False  # booked through the chat, the API or Cal.com: one booking path with its checks

    def save_model(self, request, obj, form, change):
        obj.save(update_fields=["notes", "updated_at"])

    def save_related(self, request, form, formsets, change):
        """The inlines are read-only; nothing related is written from this page."""

    def construct_change_message(self, request, form, formsets, add=False):
        return super().construct_change_message(request, form, [], add)

    def changelist_view(self, request, extra_context=None):
        today = reports.company_today()
        extra = {
            "attendance": reports.attendance_rate(date_from=today - timedelta(days=29), date_to=today),
            "today_count": reports.agenda_of_day(day=today).count(),
            "today_url": f"{reverse('tenant_admin:agenda_appointment_changelist')}?quando=hoje",
        }
        return super().changelist_view(request, extra_context={**extra, **(extra_context or {})})

    # --- quick actions (each through the services) ----------------------------------

    def has_remind_permission(self, request):
        return request.user.has_perm("agenda.add_reminder")

    @admin.action(description="Confirmar", permissions=["change"])
    def confirm(self, request, queryset):
        self._each(request, queryset, lambda a, actor: appointment_confirm(appointment=a, actor=actor), "confirmado(s)")

    @admin.action(description="Marcar compareceu", permissions=["change"])
    def mark_attended(self, request, queryset):
        self._each(request, queryset, lambda a, actor: appointment_mark_attended(appointment=a, actor=actor),
                   "marcado(s) como compareceu")

    @admin.action(description="Marcar falta", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._each(request, queryset, lambda a, actor: appointment_mark_no_show(appointment=a, actor=actor),
                   "marcado(s) como falta")

    @admin.action(description="Cancelar", permissions=["change"])
    def cancel(self, request, queryset):
        self._each(request, queryset,
                   lambda a, actor: appointment_cancel(appointment=a, reason="Cancelado pela equipe", actor=actor),
                   "cancelado(s)")

    @admin.action(description="Enviar lembrete agora", permissions=["remind"])
    def send_reminder(self, request, queryset):
        self._each(request, queryset, lambda a, actor: reminder_send_now(appointment=a, actor=actor),
                   "com lembrete na fila de envio")

    def _each(self, request, queryset, service, done: str) -> None:
        count = 0
        for appointment in queryset.select_related("contact", "service", "professional"):
            try:
                service(appointment, request.user.email)
                count += 1
            except (AgendaError, ValidationError) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                messages.error(request, f"{appointment}: {text}")
        if count:
            messages.success(request, f"{count} agendamento(s) {done}.")


# --- configuration -------------------------------------------------------------------


class ConfigurationAdmin(SettingsChangedAdmin):
    """Services and professionals: anyone reads, `manage_settings` changes (as in the API)."""

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(SETTINGS_PERM)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(SETTINGS_PERM)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(SETTINGS_PERM)


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0

    # Inlines ask the permissions of their own model; the hours belong to the professional's settings.
    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(SETTINGS_PERM)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(SETTINGS_PERM)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(SETTINGS_PERM)

    def has_view_permission(self, request, obj=None):
        return True


class ProfessionalForm(forms.ModelForm):
    class Meta:
        model = Professional
        fields = ["name", "is_active"]

    def clean(self):
        data = super().clean()
        switched_on = data.get("is_active") and not (self.instance.pk and self.instance.is_active)
        error = limit_form_error(PROFESSIONALS, adding=bool(switched_on),
                                 count=Professional.objects.filter(is_active=True).count)
        if error:
            self.add_error("is_active", error)
        return data


@admin.register(Professional, site=tenant_admin)
class ProfessionalAdmin(ConfigurationAdmin):
    form = ProfessionalForm
    list_display = ["name", "is_active", "week"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [WorkingHoursInline]

    @admin.display(description="horários")
    def week(self, obj):
        return ", ".join(str(hours).removeprefix(f"{obj} ") for hours in obj.hours.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("hours")


@admin.register(Service, site=tenant_admin)
class ServiceAdmin(ConfigurationAdmin):
    list_display = ["name", "duration_minutes", "buffer_minutes", "price", "is_active"]
    list_filter = ["is_active", "professionals"]
    search_fields = ["name", "keywords"]
    filter_horizontal = ["professionals"]

    @admin.display(description="preço", ordering="price_cents")
    def price(self, obj):
        if obj.price_cents is None:
            return "—"
        return brl(obj.price_cents)


@admin.register(TimeOff, site=tenant_admin)
class TimeOffAdmin(SettingsChangedAdmin):
    list_display = ["reason", "professional", "start", "end"]
    list_filter = ["professional", "start"]
    date_hierarchy = "start"


def _https_urls(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")  # Django 6's default; no deprecation warning
    return db_field.formfield(**kwargs)


class CalendarConfigForm(SecretKeepingForm):
    secret_fields = SECRETS

    class Meta:
        model = CalendarConfig
        fields = ["provider", "calcom_base_url", *SECRETS, *TUNABLE]
        formfield_callback = _https_urls

    def clean(self):
        # Not SecretKeepingForm.clean: whether a blank secret keeps the stored one is the service's rule.
        data = forms.ModelForm.clean(self)
        try:
            values = calendar_config_resolve(config=self.instance, **self.changes())
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        for name, problems in calendar_config_errors(values).items():
            self.add_error(name if name in self.fields else None, problems)
        return data

    def changes(self) -> dict:
        data = self.cleaned_data
        return {"provider": data.get("provider"), "calcom_base_url": data.get("calcom_base_url"),
                **{name: data.get(name) or "" for name in SECRETS}, **{name: data.get(name) for name in TUNABLE}}


@admin.register(CalendarConfig, site=tenant_admin)
class CalendarConfigAdmin(SettingsAdmin):
    form = CalendarConfigForm
    secret_fields = SECRETS
    list_display = ["provider", "timezone", "updated_at"]
    readonly_fields = ["calcom_webhook"]

    @admin.display(description="URL do webhook no Cal.com")
    def calcom_webhook(self, obj):
        domain = connection.tenant.get_primary_domain()
        return calcom_webhook_url(host=domain.domain) if domain else "—"

    def changelist_view(self, request, extra_context=None):
        # One row per company: straight to it.
        config = calendar_config()
        return redirect("tenant_admin:agenda_calendarconfig_change", config.pk)

    def has_add_permission(self, request):
        return False  # the row exists from the first use (calendar_config())

    def save_model(self, request, obj, form, change):
        saved = calendar_config_set(actor=request.user.email, **form.changes())
        obj.pk = saved.pk


# --- what the automations write ------------------------------------------------------


@admin.register(Reminder, site=tenant_admin)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["due_at", "appointment", "kind", "state", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["appointment__contact__phone", "appointment__contact__name"]
    list_select_related = ["appointment__contact"]
    date_hierarchy = "due_at"


@admin.register(FollowUp, site=tenant_admin)
class FollowUpAdmin(admin.ModelAdmin):
    """Answers are the customer's; staff only clear the flag once they have dealt with it."""

    list_display = ["due_at", "appointment", "state", "sentiment", "score", "flagged"]
    list_filter = ["flagged", "state", "sentiment"]
    search_fields = ["appointment__contact__phone", "appointment__contact__name", "comment"]
    list_select_related = ["appointment__contact"]
    fields = ["appointment", "state", "due_at", "sent_at", "answered_at", "sentiment", "score", "comment", "flagged"]
    readonly_fields = [name for name in fields if name != "flagged"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        stats = reports.followup_stats()
        rate = "—" if stats["response_rate"] is None else f"{stats['response_rate']:.0%}"
        score = "—" if stats["average_score"] is None else f"{stats['average_score']:.1f}"
        subtitle = (f"Taxa de resposta: {rate} · positivos: {stats['positive']} · negativos: {stats['negative']} · "
                    f"nota média: {score} · sinalizados: {stats['flagged']}")
        return super().changelist_view(request, extra_context={"subtitle": subtitle, **(extra_context or {})})


@admin.register(WaitlistEntry, site=tenant_admin)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "contact", "service", "professional", "state", "offered_start"]
    list_filter = ["state", "service", "professional"]
    search_fields = ["contact__phone", "contact__name"]
    list_select_related = ["contact", "service", "professional"]
    readonly_fields = ["offered_start", "offered_professional", "appointment", "created_at", "updated_at"]
    autocomplete_fields = ["contact"]


@admin.register(SchedulingInsight, site=tenant_admin)
class SchedulingInsightAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "period_start", "period_end", "appointments_analyzed", "attendance",
                    "high_risk_count"]
    fields = ["created_at", "period_start", "period_end", "appointments_analyzed", "attendance", "high_risk_count",
              "recommendation", "best", "worst", "heatmap_view"]
    readonly_fields = fields

    @admin.display(description="taxa de comparecimento", ordering="attendance_rate")
    def attendance(self, obj):
        return "—" if obj.attendance_rate is None else f"{obj.attendance_rate:.0%}"

    @admin.display(description="melhores horários")
    def best(self, obj):
        return _slots_text(obj.best_slots)

    @admin.display(description="piores horários")
    def worst(self, obj):
        return _slots_text(obj.worst_slots)

    @admin.display(description="comparecimento por dia e hora")
    def heatmap_view(self, obj):
        table = reports.heatmap_table(obj.heatmap or {})
        if not table["rows"]:
            return "Sem dados suficientes."
        head = format_html_join("", "<th>{}</th>", ((day,) for day in table["weekdays"]))
        body = format_html_join("", "<tr><th>{}h</th>{}</tr>", (
            (row["hour"], format_html_join("", '<td style="{}">{}</td>', (_cell(c) for c in row["cells"])))
            for row in table["rows"]))
        return format_html('<table class="agenda-heatmap"><thead><tr><th></th>{}</tr></thead>'
                           "<tbody>{}</tbody></table>", head, body)


def _cell(cell: dict) -> tuple[str, str]:
    """Green for good attendance, red for poor; empty when nobody was booked then."""
    if not cell["n"] or cell["rate"] is None:
        return "color:#999;text-align:center", "·"
    rate = float(cell["rate"])
    hue = round(120 * rate)  # 0 = red, 120 = green
    return (f"background:hsl({hue},70%,85%);text-align:center",
            f"{rate:.0%} ({cell['n']})")


def _slots_text(slots) -> str:
    """The insight's slots ({"weekday", "hour", "rate", ...}) as "ter 15h (92%)"."""
    parts = []
    for slot in slots or []:
        if not isinstance(slot, dict):
            parts.append(str(slot))
            continue
        day = reports.WEEKDAYS[int(slot.get("weekday", 0)) % 7]
        rate = slot.get("rate")
        parts.append(f"{day} {slot.get('hour', '?')}h" + (f" ({float(rate):.0%})" if rate is not None else ""))
    return ", ".join(parts) or "—"
