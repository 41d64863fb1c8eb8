"""What every settings page of the admin shares: who may change them, write-only secrets, every process
told at once, and the "Testar conexão" button."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.urls import path

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


def https_urls(db_field, **kwargs):
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


class ConnectionCheckMixin:
    """A "Testar conexão" button on a settings page: a POST to `<object>/testar-conexao/` that calls the
    provider with the saved settings (`connection_check(obj)`) and says the outcome as the page's message.

    A POST because it uses the stored credentials and spends a provider call; only those who may
    change the settings may press it (a viewer sees neither the button nor the result).

    The admin using it defines `connection_check(obj) -> ConnectionCheck` (each provider checks its own way).
    """

    change_form_template = "settings_panel/check_change_form.html"

    def get_urls(self):
        check = path("<path:object_id>/testar-conexao/", self.admin_site.admin_view(self.check_view),
                     name=f"{self.opts.app_label}_{self.opts.model_name}_check")
        return [check, *super().get_urls()]

    def check_view(self, request, object_id):
        if request.method != "POST" or not request.user.has_perm(SETTINGS_PERM):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise PermissionDenied
        result = self.connection_check(obj)
        level = messages.SUCCESS if result.ok else messages.ERROR
        self.message_user(request, f"Testar conexão — {result.message()}", level)
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", obj.pk)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["connection_check_url"] = (
            f"admin:{self.opts.app_label}_{self.opts.model_name}_check"
            if change and obj is not None and request.user.has_perm(SETTINGS_PERM) else "")
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
