"""The assistant's settings on the company admin: channel, profile, knowledge base, AI.

The channel, the profile and the AI settings are company configuration: changing them
needs `manage_settings`, like the API; their secrets are write-only. The knowledge base
follows the model permissions (operators keep it up to date day to day).
Imported by conversations/admin.py, which Django's autodiscovery loads.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models

from conversations.models import Channel, CompanyProfile, KnowledgeItem, LLMCall, LLMConfig
from conversations.services.channel import (
    DEFAULT_TEMPLATE_LANGUAGE,
    REQUIRED,
    channel_configure,
    channel_rotate_inbound_secret,
    channel_template_errors,
)
from secretaria.admin_sites import tenant_admin

SETTINGS_PERM = "accounts.manage_settings"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the system writes: staff read them, nobody edits them by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SettingsAdmin(admin.ModelAdmin):
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


class ChannelForm(SecretKeepingForm):
    secret_fields = ("access_token",)

    class Meta:
        model = Channel
        fields = ["kind", "phone_number_id", "base_url", "access_token", "template_name", "template_language"]
        formfield_callback = _https_urls

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        for name in REQUIRED.get(kind, ()):
            if not data.get(name):
                self.add_error(name, "Obrigatório para este canal.")
        if kind == Channel.Kind.META:
            template = {"name": (data.get("template_name") or "").strip(),
                        "language": (data.get("template_language") or "").strip() or DEFAULT_TEMPLATE_LANGUAGE}
            for name, errors in channel_template_errors(**template).items():
                self.add_error(name, errors)
        return data


@admin.register(Channel, site=tenant_admin)
class ChannelAdmin(SettingsAdmin):
    form = ChannelForm
    secret_fields = ChannelForm.secret_fields
    list_display = ["kind", "phone_number_id", "base_url", "template_name", "updated_at"]
    actions = ["rotate_secret"]

    def has_add_permission(self, request):
        return False  # every company has its channel (a sandbox until configured)

    def save_model(self, request, obj, form, change):
        # Through the service: it also routes the company's Meta number to this company.
        data = form.cleaned_data
        channel_configure(kind=data["kind"], phone_number_id=data.get("phone_number_id", ""),
                          access_token=data["access_token"], base_url=data.get("base_url", ""),
                          template_name=data.get("template_name", ""),
                          template_language=data.get("template_language", ""))

    @admin.action(description="Gerar novo segredo do webhook", permissions=["change"])
    def rotate_secret(self, request, queryset):
        channel_rotate_inbound_secret()
        messages.warning(request, "Novo segredo gerado: atualize a URL do webhook no provedor.")


_CLOCK = re.compile(r"\d{1,2}:\d{2}")


def _span_valid(span) -> bool:
    return isinstance(span, list) and len(span) == 2 and all(isinstance(t, str) and _CLOCK.fullmatch(t) for t in span)


def _hours_valid(hours) -> bool:
    """{"0".."6": [["HH:MM", "HH:MM"], ...]}; the shape conversations.engine.hours reads."""
    return isinstance(hours, dict) and all(
        day in {str(d) for d in range(7)} and isinstance(spans, list) and all(_span_valid(s) for s in spans)
        for day, spans in hours.items()
    )


class CompanyProfileForm(forms.ModelForm):
    class Meta:
        model = CompanyProfile
        fields = ["assistant_name", "formality", "empathy", "humour", "emoji", "business_hours",
                  "out_of_hours_message", "handoff_timeout_minutes"]

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
class KnowledgeItemAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "price_cents", "duration_minutes", "is_active", "updated_at"]
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
