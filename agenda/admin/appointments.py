"""Appointments and what the automations write about them (reminders, follow-ups, waitlist, insights).

Staff read times in the company's zone (the panel's middleware activates it), phones as
+55 11 98765-4321 and prices in reais; each appointment links to its place on the calendar
screen (agenda/calendar), where bookings, moves and cancellations are made.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from agenda import reports
from agenda.models import (
    Appointment,
    AppointmentEvent,
    FollowUp,
    Reminder,
    SchedulingInsight,
    WaitlistEntry,
)
from agenda.services.booking import (
    appointment_cancel,
    appointment_confirm,
    appointment_mark_attended,
    appointment_mark_no_show,
)
from agenda.services.reminders import reminder_send_now
from agenda.types import AgendaError
from conversations.admin_settings import (
    ReadOnlyAdmin,
)
from secretaria.admin_sites import tenant_admin
from secretaria.panel.formats import brl, phone


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


def calendar_url(appointment: Appointment) -> str:
    """The appointment on the calendar screen: its day, highlighted."""
    day = timezone.localtime(appointment.start, reports.company_tz()).date()
    return f"{reverse('tenant_admin:calendar')}?{urlencode({'dia': day.isoformat(), 'destaque': appointment.pk})}"


class ContactColumns:
    """The customer's name and formatted phone, for the admins of rows about a contact."""

    @admin.display(description="cliente", ordering="contact__name")
    def contact_name(self, obj):
        return obj.contact.name or "—"

    @admin.display(description="telefone", ordering="contact__phone")
    def contact_phone(self, obj):
        return phone(obj.contact.phone)


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
class AppointmentAdmin(ContactColumns, admin.ModelAdmin):
    list_display = ["start", "contact_name", "contact_phone", "service", "price", "professional", "status", "source",
                    "risk", "on_calendar"]
    list_filter = [WhenFilter, "status", "professional", "service", "source", "start"]
    search_fields = ["contact__phone", "contact__name"]
    list_select_related = ["contact", "service", "professional"]
    date_hierarchy = "start"
    ordering = ["start"]
    inlines = [EventInline, ReminderInline]
    fields = ["contact", "contact_phone", "service", "price", "professional", "start", "end", "status", "on_calendar",
              "source", "provider", "provider_booking_id", "rescheduled_to", "notes", "cancel_reason", "risk",
              "risk_factors", "confirmed_at", "created_at", "updated_at"]
    # Staff write notes; everything else changes through the actions (the booking services) or the calendar.
    readonly_fields = [name for name in fields if name != "notes"]
    actions = ["confirm", "mark_attended", "mark_no_show", "cancel", "send_reminder"]
    change_list_template = "admin/agenda/appointment/change_list.html"

    @admin.display(description="risco de falta", ordering="risk_score")
    def risk(self, obj):
        return "—" if obj.risk_score is None else f"{obj.risk_score:.0%}"

    @admin.display(description="preço", ordering="service__price_cents")
    def price(self, obj):
        return brl(obj.service.price_cents) if obj.service and obj.service.price_cents is not None else "—"

    @admin.display(description="agenda")
    def on_calendar(self, obj):
        return format_html('<a href="{}">Ver na agenda</a>', calendar_url(obj))

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
            "calendar_url": reverse("tenant_admin:calendar"),
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


# --- what the automations write ------------------------------------------------------


@admin.register(Reminder, site=tenant_admin)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["due_at", "appointment", "phone_of", "kind", "state", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["appointment__contact__phone", "appointment__contact__name"]
    list_select_related = ["appointment__contact"]
    date_hierarchy = "due_at"

    @admin.display(description="telefone", ordering="appointment__contact__phone")
    def phone_of(self, obj):
        return phone(obj.appointment.contact.phone)


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
class WaitlistEntryAdmin(ContactColumns, admin.ModelAdmin):
    list_display = ["created_at", "contact_name", "contact_phone", "service", "professional", "state",
                    "offered_start"]
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
