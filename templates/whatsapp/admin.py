"""WhatsApp message templates on the company admin.

- Templates: the list as Meta last said (status, rejection reason), a "Sincronizar agora" button,
  and "Adicionar", a pt-BR form that submits a new template to Meta for review. An existing
  template is read-only here: Meta reviews every edit again, so it is changed in Meta's manager
  and synced back.
- Templates por mensagem: which approved template carries which of the product's messages (a
  template slot) outside the 24-hour window, with the slot's variables in `{{1}}`, `{{2}}`… order.
- Sincronizações: every sync attempt, a failed one with its reason (a rate limit is retried).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from conversations.channels.base import TransientChannelError
from conversations.channels.models import Channel
from secretaria.admin_sites import ReadOnlyAdmin, tenant_admin
from secretaria.queue import task_delay
from templates.replies import catalogue
from templates.whatsapp import services
from templates.whatsapp.models import WhatsAppTemplate, WhatsAppTemplateMapping, WhatsAppTemplateSync
from templates.whatsapp.selectors import meta_channels


def _meta_channel_field() -> forms.ModelChoiceField:
    ids = [channel.pk for channel in meta_channels()]
    return forms.ModelChoiceField(label="canal", queryset=Channel.objects.filter(pk__in=ids),
                                  help_text="Um canal da Meta com o ID da conta do WhatsApp Business (WABA).")


class TemplateCreateForm(forms.ModelForm):
    """The fields Meta needs to review a template. Submitting happens in `clean()`, so that what Meta
    refuses (#100) shows on this form like any other mistake, instead of after a redirect."""

    examples_text = forms.CharField(
        label="exemplos das variáveis", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Um exemplo por linha, na ordem {{1}}, {{2}}… (ex.: Maria). A Meta exige um para cada variável.")

    class Meta:
        model = WhatsAppTemplate
        fields = ["channel", "name", "language", "category", "header_text", "body_text", "footer_text"]
        labels = {"header_text": "cabeçalho (opcional, até 60 caracteres)",
                  "body_text": "corpo (até 1.024 caracteres, variáveis {{1}}, {{2}}…)",
                  "footer_text": "rodapé (opcional, até 60 caracteres)"}
        help_texts = {"name": "Letras minúsculas, números e _ (ex.: lembrete_consulta).",
                      "language": "Código da Meta, ex.: pt_BR."}

    _FIELDS = {"header": "header_text", "body": "body_text", "footer": "footer_text", "examples": "examples_text",
               "channel": "channel", "name": "name", "language": "language", "category": "category"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"] = _meta_channel_field()
        self.fields["language"].initial = "pt_BR"
        self.fields["body_text"].required = True
        self.created: WhatsAppTemplate | None = None

    def _post_clean(self):
        pass  # the service builds and validates the row; the model's own checks would repeat them

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        examples = [line.strip() for line in (data.get("examples_text") or "").splitlines() if line.strip()]
        try:
            self.created = services.whatsapp_template_create(
                channel=data["channel"], name=data["name"], language=data["language"], category=data["category"],
                body=data["body_text"], examples=examples, header=data.get("header_text") or "",
                footer=data.get("footer_text") or "")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(self._FIELDS.get(field), errors)
        except services.MetaBusy as exc:
            self.add_error(None, exc.message)
        return data


@admin.register(WhatsAppTemplate, site=tenant_admin)
class WhatsAppTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "category", "status", "rejection_reason", "channel", "synced_at"]
    list_filter = ["status", "category", "channel"]
    search_fields = ["name", "body_text"]
    list_select_related = ["channel"]
    change_list_template = "admin/templates/whatsapptemplate/change_list.html"
    readonly_fields = ["channel", "meta_id", "name", "language", "category", "status", "rejection_reason",
                       "header_text", "body_text", "footer_text", "examples_shown", "components", "synced_at",
                       "created_at", "updated_at"]

    @admin.display(description="exemplos das variáveis")
    def examples_shown(self, obj):
        return "; ".join(f"{{{{{i}}}}} = {example}" for i, example in enumerate(obj.examples, start=1)) or "—"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TemplateCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*TemplateCreateForm.Meta.fields, "examples_text"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False  # Meta reviews every edit again: change it in Meta's manager, then sync

    def save_model(self, request, obj, form, change):
        created = form.created  # submitted to Meta and stored by the form's clean()
        obj.pk, obj.status = created.pk, created.status
        obj._state.adding = False
        messages.info(request, f"Template enviado à Meta: situação {created.get_status_display()}. A Meta avisa "
                               "quando decidir (aprovado ou rejeitado, com o motivo).")

    def get_urls(self):
        sync = self.admin_site.admin_view(self.sync_now_view)
        return [path("sincronizar/", sync, name="templates_whatsapptemplate_sync"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {"sync_url": reverse("tenant_admin:templates_whatsapptemplate_sync"),
                 "can_sync": self.has_add_permission(request)}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def sync_now_view(self, request):
        """"Sincronizar agora": each Meta channel at once; a rate limit is queued for a retry."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        channels = meta_channels()
        if not channels:
            messages.warning(request, "Nenhum canal da Meta tem o ID da conta do WhatsApp Business (WABA): "
                                      "preencha-o no canal para sincronizar os templates.")
        for channel in channels:
            _sync_one(request, channel)
        return HttpResponseRedirect(reverse("tenant_admin:templates_whatsapptemplate_changelist"))


def _sync_one(request, channel: Channel) -> None:
    try:
        row = services.whatsapp_templates_sync(channel=channel, final=False)
    except TransientChannelError:
        task_delay(services.SYNC_TASK, channel.pk)
        row = WhatsAppTemplateSync.objects.filter(channel=channel).first()
        messages.warning(request, f"{channel}: {row.error if row else 'a Meta não respondeu'} (na fila).")
        return
    if row.outcome == row.Outcome.OK:
        messages.success(request, f"{channel}: {row.templates} template(s) sincronizado(s).")
    else:
        messages.error(request, f"{channel}: {row.error}")


class MappingForm(forms.ModelForm):
    slot = forms.ChoiceField(label="mensagem (slot)")
    variables_text = forms.CharField(
        label="variáveis, na ordem {{1}}, {{2}}…", required=False,
        help_text="Nomes das variáveis da mensagem separados por vírgula, ex.: nome, data, hora.")

    class Meta:
        model = WhatsAppTemplateMapping
        fields = ["channel", "slot", "template"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"] = _meta_channel_field()
        self.fields["slot"].choices = [(slot.name, f"{slot.label} ({slot.name}) — variáveis: "
                                                   f"{', '.join(slot.variables) or 'nenhuma'}")
                                       for slot in catalogue.slots().values()]
        self.fields["template"].queryset = WhatsAppTemplate.objects.exclude(status=WhatsAppTemplate.Status.DELETED)
        if self.instance.pk:
            self.fields["variables_text"].initial = ", ".join(self.instance.variables)

    def clean(self):
        data = super().clean()
        data["variables"] = [name.strip() for name in (data.get("variables_text") or "").split(",") if name.strip()]
        if not self.errors:
            problems = services.mapping_problems(channel=data.get("channel"), slot=data.get("slot", ""),
                                                 template=data.get("template"), variables=data["variables"])
            for field, errors in problems.items():
                self.add_error("variables_text" if field == "variables" else field, errors)
        return data


@admin.register(WhatsAppTemplateMapping, site=tenant_admin)
class WhatsAppTemplateMappingAdmin(admin.ModelAdmin):
    form = MappingForm
    list_display = ["slot_shown", "template", "template_status", "variables_display", "channel"]
    list_select_related = ["template", "channel"]
    fields = ["channel", "slot", "template", "variables_text"]

    @admin.display(description="mensagem (slot)", ordering="slot")
    def slot_shown(self, obj):
        slot = catalogue.slots().get(obj.slot)
        return f"{slot.label} ({obj.slot})" if slot else obj.slot

    @admin.display(description="situação do template")
    def template_status(self, obj):
        if obj.template.sendable:
            return obj.template.get_status_display()
        return f"{obj.template.get_status_display()} — fora da janela vai o template geral do canal"

    @admin.display(description="variáveis")
    def variables_display(self, obj):
        return ", ".join(f"{{{{{i}}}}} = {name}" for i, name in enumerate(obj.variables, start=1)) or "—"

    def save_model(self, request, obj, form, change):
        saved = services.whatsapp_mapping_save(channel=form.cleaned_data["channel"], slot=form.cleaned_data["slot"],
                                               template=form.cleaned_data["template"],
                                               variables=form.cleaned_data["variables"],
                                               mapping=WhatsAppTemplateMapping.objects.filter(pk=obj.pk).first())
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(WhatsAppTemplateSync, site=tenant_admin)
class WhatsAppTemplateSyncAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "channel", "outcome", "templates", "error"]
    list_filter = ["outcome", "channel"]
    list_select_related = ["channel"]
