"""The company's WhatsApp numbers on the admin: each with the webhook URL to give its provider (with a
copy button) and a "Testar conexão" that calls the provider with the saved settings."""

import contextvars

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from conversations.admin_settings.base import SETTINGS_PERM, ConnectionCheckMixin, SettingsAdmin
from conversations.channels.checks import channel_connection_check
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

_admin_request: contextvars.ContextVar = contextvars.ContextVar("channel_admin_request", default=None)


def copyable(text: str) -> str:
    """A value staff paste elsewhere (a webhook URL), with a "Copiar" button (settings_panel/copy.js)."""
    return format_html('<span class="settings-copy"><code>{}</code> <button type="button" class="button" '
                       'data-copy="{}">Copiar</button></span>', text, text)


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
class ChannelAdmin(ConnectionCheckMixin, SettingsAdmin):
    """The company's numbers: each with its own webhook URL (shown on its page) and secret."""

    form = ChannelForm
    list_display = ["__str__", "kind", "enabled", "is_default", "account", "updated_at"]
    readonly_fields = ["webhook_url"]
    actions = ["rotate_secret"]

    class Media:
        js = ("settings_panel/copy.js",)
        css = {"all": ("settings_panel/settings.css",)}

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
        return copyable(inbound_webhook_url(channel=obj, host=request.get_host(),
                                            scheme="https" if request.is_secure() else "http"))

    def connection_check(self, obj):
        return channel_connection_check(channel=obj)

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
