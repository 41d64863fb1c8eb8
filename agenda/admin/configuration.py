"""The calendar's configuration: professionals and their hours, services, time off, the calendar source."""


from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.shortcuts import redirect

from agenda.models import (
    CalendarConfig,
    Professional,
    Service,
    TimeOff,
    WorkingHours,
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
from conversations.admin_settings import (
    SETTINGS_PERM,
    SecretKeepingForm,
    SettingsAdmin,
    SettingsChangedAdmin,
)
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


