"""The assistant's settings on the company admin: channel, profile, knowledge base, AI.

The channel, the profile and the AI settings are company configuration: changing them
needs `manage_settings`, like the API; their secrets are write-only. The knowledge base
follows the model permissions (operators keep it up to date day to day).
Imported by conversations/admin.py, which Django's autodiscovery loads.
"""

import contextvars
import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models

from conversations.assistant.models import CompanyProfile, KnowledgeItem, LLMCall, LLMConfig
from conversations.channels.models import Channel
from conversations.channels.registry import ConfigField, channel_kind_choices, channel_specs
from conversations.channels.services import (
    channel_create,
    channel_delete,
    channel_rotate_inbound_secret,
    channel_update,
    channel_values_check,
    inbound_webhook_url,
)
from secretaria.admin_sites import tenant_admin
from secretaria.limits import CHANNELS, limit_form_error
from secretaria.settings_cache import settings_changed

SETTINGS_PERM = "accounts.manage_settings"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the system writes: staff read them, nobody edits them by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SettingsChangedAdmin(admin.ModelAdmin):
    """Rows the assistant reads on every message: a change is seen at once by every process
    (secretaria/settings_cache.py)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        settings_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        settings_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        settings_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        settings_changed()


class SettingsAdmin(SettingsChangedAdmin):
    """Company settings: changed only with `manage_settings`, one row per company."""

    secret_fields: tuple[str, ...] = ()
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        # A view-only page prints every field's value: leave the secrets out.
        return [name for name in fields if name not in self.secret_fields]

    def has_add_permission(self, request):
        return request.user.has_perm(SETTINGS_PERM) and not self.model.objects.exists()

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(SETTINGS_PERM)

    def has_delete_permission(self, request, obj=None):
        return False


def _https_urls(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")  # Django 6's default; no deprecation warning
    return db_field.formfield(**kwargs)


class SecretKeepingForm(forms.ModelForm):
    """Secrets are write-only: the field starts empty and, left empty, keeps what is stored."""

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            if name not in self.fields:
                continue  # a view-only page: the admin leaves the secret out (SettingsAdmin.get_fields)
            stored = bool(getattr(self.instance, name, ""))
            self.fields[name] = forms.CharField(
                label=self.fields[name].label, required=False, widget=forms.PasswordInput(render_value=False),
                help_text="Guardado. Deixe em branco para manter." if stored else "Ainda não informado.",
            )
            self.initial[name] = ""

    def clean(self):
        data = super().clean()
        for name in self.secret_fields:
            data[name] = (data.get(name) or "").strip() or getattr(self.instance, name, "")
        return data


_admin_request: contextvars.ContextVar = contextvars.ContextVar("channel_admin_request", default=None)


def _config_fields() -> dict[str, ConfigField]:
    """Every setting of every registered kind, once by name (kinds share e.g. access_token)."""
    found: dict = {}
    for spec in channel_specs():
        for config_field in spec.fields:
            found.setdefault(config_field.name, config_field)
    return found


class ChannelForm(forms.ModelForm):
    """A channel's name, kind, state and the settings of its kind (each kind's spec lists them).

    Secrets are write-only: their fields start empty and, left empty, keep what is stored.
    The settings' fields come from the registry when the page is built (`channel_form_class`)."""

    kind = forms.ChoiceField(label="tipo", choices=channel_kind_choices)

    class Meta:
        model = Channel
        fields = ["name", "kind", "enabled", "is_default"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.values() if self.instance.pk else {}
        for name, config_field in _config_fields().items():
            if name not in self.fields:
                continue  # a view-only page leaves the settings out
            if config_field.secret:
                self.initial[name] = ""
                if stored.get(name):
                    self.fields[name].help_text = f"Guardado. Deixe em branco para manter. {config_field.help_text}"
            else:
                self.initial.setdefault(name, stored.get(name, ""))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        switched_on = data.get("enabled") and not (self.instance.pk and self.instance.enabled)
        error = limit_form_error(CHANNELS, adding=bool(switched_on), count=Channel.objects.filter(enabled=True).count)
        if error:
            self.add_error("enabled", error)
        try:
            current = self.instance if self.instance.pk else None
            data["values"] = channel_values_check(kind=kind, data=data, current=current)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        return data


def channel_form_class() -> type[ChannelForm]:
    """ChannelForm with one declared field per setting of the registered kinds."""
    declared = {}
    for name, config_field in _config_fields().items():
        kinds = ", ".join(spec.label for spec in channel_specs() if spec.field(name))
        widget = forms.PasswordInput(render_value=False) if config_field.secret else forms.TextInput()
        declared[name] = forms.CharField(
            label=config_field.label, required=False, max_length=config_field.max_length, widget=widget,
            help_text=" ".join(t for t in (config_field.help_text, f"Usado por: {kinds}.") if t))
    return type("ChannelForm", (ChannelForm,), declared)


@admin.register(Channel, site=tenant_admin)
class ChannelAdmin(SettingsAdmin):
    """The company's numbers: each with its own webhook URL (shown on its page) and secret."""

    form = ChannelForm
    list_display = ["__str__", "kind", "enabled", "is_default", "account", "updated_at"]
    readonly_fields = ["webhook_url"]
    actions = ["rotate_secret"]

    def get_fields(self, request, obj=None):
        names = ["name", "kind", "enabled", "is_default", *_config_fields()]
        if self.has_change_permission(request, obj):
            # The URL carries the channel's inbound secret: only for those who manage settings.
            return [*names, "webhook_url"] if obj is not None else names
        return [name for name in names if name not in _config_fields()]

    def has_add_permission(self, request):
        return request.user.has_perm(SETTINGS_PERM)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(SETTINGS_PERM) and (obj is None or not obj.is_default)

    @admin.display(description="URL do webhook (configure no provedor)")
    def webhook_url(self, obj):
        request = _admin_request.get()
        if request is None:
            return ""
        return inbound_webhook_url(channel=obj, host=request.get_host(),
                                   scheme="https" if request.is_secure() else "http")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = channel_form_class()
        return super().get_form(request, obj, change=change, **kwargs)

    def changeform_view(self, request, *args, **kwargs):
        # The page shows the URL on the host it was opened on (admin instances are shared by threads).
        token = _admin_request.set(request)
        try:
            response = super().changeform_view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # a TemplateResponse renders after we return, without the request
            return response
        finally:
            _admin_request.reset(token)

    def save_model(self, request, obj, form, change):
        # Through the services: validation by the kind's spec, encrypted secrets, routes, every
        # process told at once, the audit trail.
        data = form.cleaned_data
        actor = request.user.email
        if change:
            saved = channel_update(channel=obj, kind=data["kind"], data=data["values"], name=data["name"],
                                   enabled=data["enabled"], is_default=data["is_default"] or None,
                                   partial=False, actor=actor)
        else:
            saved = channel_create(kind=data["kind"], data=data["values"], name=data["name"],
                                   is_default=data["is_default"], enabled=data["enabled"], actor=actor)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        channel_delete(channel=obj, actor=request.user.email)

    def delete_queryset(self, request, queryset):
        for channel in queryset:
            channel_delete(channel=channel, actor=request.user.email)

    @admin.action(description="Gerar novo segredo do webhook", permissions=["change"])
    def rotate_secret(self, request, queryset):
        for channel in queryset:
            channel_rotate_inbound_secret(channel=channel, actor=request.user.email)
        messages.warning(request, "Novo segredo gerado: atualize a URL do webhook no provedor.")


_CLOCK = re.compile(r"\d{1,2}:\d{2}")


def _span_valid(span) -> bool:
    return isinstance(span, list) and len(span) == 2 and all(isinstance(t, str) and _CLOCK.fullmatch(t) for t in span)


def _hours_valid(hours) -> bool:
    """{"0".."6": [["HH:MM", "HH:MM"], ...]}; the shape conversations.assistant.engine.hours reads."""
    return isinstance(hours, dict) and all(
        day in {str(d) for d in range(7)} and isinstance(spans, list) and all(_span_valid(s) for s in spans)
        for day, spans in hours.items()
    )


class CompanyProfileForm(forms.ModelForm):
    class Meta:
        model = CompanyProfile
        fields = ["assistant_name", "formality", "empathy", "humour", "emoji", "business_hours",
                  "out_of_hours_message", "opens_on_holidays", "state", "handoff_timeout_minutes"]

    def clean_business_hours(self):
        hours = self.cleaned_data.get("business_hours") or {}
        if not _hours_valid(hours):
            raise ValidationError('Use {"0": [["08:00", "18:00"]], ...} (segunda = "0", domingo = "6").')
        return hours


@admin.register(CompanyProfile, site=tenant_admin)
class CompanyProfileAdmin(SettingsAdmin):
    form = CompanyProfileForm
    list_display = ["assistant_name", "formality", "handoff_timeout_minutes", "updated_at"]


@admin.register(KnowledgeItem, site=tenant_admin)
class KnowledgeItemAdmin(SettingsChangedAdmin):
    list_display = ["title", "kind", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["title", "answer", "keywords"]


class LLMConfigForm(SecretKeepingForm):
    secret_fields = ("api_key",)

    class Meta:
        model = LLMConfig
        fields = ["provider", "model", "api_key", "base_url"]
        formfield_callback = _https_urls


@admin.register(LLMConfig, site=tenant_admin)
class LLMConfigAdmin(SettingsAdmin):
    form = LLMConfigForm
    secret_fields = LLMConfigForm.secret_fields
    list_display = ["provider", "model", "updated_at"]


@admin.register(LLMCall, site=tenant_admin)
class LLMCallAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "provider", "model", "outcome", "input_tokens", "output_tokens", "latency_ms"]
    list_filter = ["provider", "outcome"]
