"""The calendar's configuration: professionals and their hours, services, time off, the calendar source.

The weekly hours and the days off have pages of their own (agenda/admin/hours.py); services take their
price in reais and their duration in minutes; the Cal.com page shows its webhook URL and tests the key.
Each of them is also a card of the "Configurações" screen (agenda/admin/hub.py).
"""


from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html

from agenda.admin import hours, hub  # noqa: F401 - hub: the calendar's cards of the "Configurações" screen
from agenda.models import (
    CalendarConfig,
    Professional,
    Service,
    TimeOff,
)
from agenda.services.calendar_check import calendar_connection_check
from agenda.services.calendar_settings import (
    SECRETS,
    TUNABLE,
    calcom_webhook_url,
    calendar_config_errors,
    calendar_config_resolve,
    calendar_config_set,
)
from agenda.services.config import calendar_config
from agenda.services.hours import time_off_delete
from conversations.admin_settings import (
    SETTINGS_PERM,
    ConnectionCheckMixin,
    SecretKeepingForm,
    SettingsAdmin,
    SettingsChangedAdmin,
    https_urls,
)
from conversations.admin_settings.channels import copyable
from conversations.admin_settings.fields import ReaisField, RemindersField, duration_text
from conversations.assistant.weekly_hours import Span, week_summary
from secretaria.admin_sites import tenant_admin
from secretaria.limits import PROFESSIONALS, limit_form_error
from secretaria.ptbr import brl

# --- configuration -------------------------------------------------------------------


class ConfigurationAdmin(SettingsChangedAdmin):
    """Services and professionals: anyone reads, `manage_settings` changes (as in the API)."""

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(SETTINGS_PERM)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(SETTINGS_PERM)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(SETTINGS_PERM)


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
    """Professionals; their week is edited on its own grid (hours.py), linked from the list and the page."""

    form = ProfessionalForm
    list_display = ["name", "is_active", "week"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    change_form_template = "settings_panel/professional_change_form.html"

    @admin.display(description="horários")
    def week(self, obj):
        summary = week_summary(Span(h.weekday, h.start, h.end) for h in obj.hours.all())
        url = reverse("tenant_admin:agenda_professional_hours", args=[obj.pk])
        return format_html('{} <a href="{}">Horários da semana</a>', summary or "Sem horário.", url)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("hours")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("horarios/", view(lambda request: hours.hours_index_view(self, request)),
                 name="agenda_professional_hours_index"),
            path("<path:object_id>/horarios/",
                 view(lambda request, object_id: hours.professional_hours_view(self, request, object_id)),
                 name="agenda_professional_hours"),
            *super().get_urls(),
        ]

    def response_add(self, request, obj, post_url_continue=None):
        # A new professional offers nothing until they have hours: straight to their grid.
        self.message_user(request, f"{obj.name} cadastrado(a). Agora defina os horários da semana.")
        return redirect("tenant_admin:agenda_professional_hours", obj.pk)


class ServiceForm(forms.ModelForm):
    price_cents = ReaisField(label="preço (R$)", required=False,
                             help_text="Em reais, como 150, 150,00 ou 1.200,50. Em branco: sem preço informado.")

    class Meta:
        model = Service
        fields = ["name", "description", "duration_minutes", "buffer_minutes", "price_cents", "keywords",
                  "professionals", "calcom_event_type_id", "is_active"]
        labels = {"duration_minutes": "duração (minutos)", "buffer_minutes": "intervalo depois (minutos)"}
        help_texts = {"duration_minutes": "Quanto tempo o atendimento ocupa na agenda, em minutos (ex.: 90).",
                      "buffer_minutes": "Tempo livre depois de cada atendimento (limpeza, preparo), em minutos."}


@admin.register(Service, site=tenant_admin)
class ServiceAdmin(ConfigurationAdmin):
    form = ServiceForm
    list_display = ["name", "duration", "price", "is_active"]
    list_filter = ["is_active", "professionals"]
    search_fields = ["name", "keywords"]
    filter_horizontal = ["professionals"]

    @admin.display(description="duração", ordering="duration_minutes")
    def duration(self, obj):
        text = duration_text(obj.duration_minutes)
        return f"{text} (+ {duration_text(obj.buffer_minutes)} de intervalo)" if obj.buffer_minutes else text

    @admin.display(description="preço", ordering="price_cents")
    def price(self, obj):
        if obj.price_cents is None:
            return "—"
        return brl(obj.price_cents)


@admin.register(TimeOff, site=tenant_admin)
class TimeOffAdmin(SettingsChangedAdmin):
    """Days off: the list is the "Folgas e feriados" page (hours.py), with the year's holidays."""

    list_display = ["reason", "professional", "start", "end"]
    list_filter = ["professional", "start"]
    date_hierarchy = "start"

    def changelist_view(self, request, extra_context=None):
        return hours.days_off_view(self, request)

    def delete_model(self, request, obj):
        time_off_delete(time_off=obj, actor=request.user.email)

    def delete_queryset(self, request, queryset):
        for row in queryset:
            time_off_delete(time_off=row, actor=request.user.email)


class CalendarConfigForm(SecretKeepingForm):
    secret_fields = SECRETS
    reminder_offsets_minutes = RemindersField(
        label="lembretes antes do horário", required=False,
        help_text="Quanto tempo antes de cada agendamento a assistente lembra o cliente, separado por vírgula "
                  "(ex.: 24 h, 2 h). Em branco: nenhum lembrete.")

    class Meta:
        model = CalendarConfig
        fields = ["provider", "calcom_base_url", *SECRETS, *TUNABLE]
        formfield_callback = https_urls

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
class CalendarConfigAdmin(ConnectionCheckMixin, SettingsAdmin):
    form = CalendarConfigForm
    secret_fields = SECRETS
    list_display = ["provider", "timezone", "updated_at"]
    readonly_fields = ["calcom_webhook"]

    class Media:
        js = ("settings_panel/copy.js",)
        css = {"all": ("settings_panel/settings.css",)}

    @admin.display(description="URL do webhook no Cal.com")
    def calcom_webhook(self, obj):
        domain = connection.tenant.get_primary_domain()
        return copyable(calcom_webhook_url(host=domain.domain)) if domain else "—"

    def connection_check(self, obj):
        return calendar_connection_check()

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        # One row per company: straight to it.
        config = calendar_config()
        return redirect("tenant_admin:agenda_calendarconfig_change", config.pk)

    def has_add_permission(self, request):
        return False  # the row exists from the first use (calendar_config())

    def save_model(self, request, obj, form, change):
        saved = calendar_config_set(actor=request.user.email, **form.changes())
        obj.pk = saved.pk

