"""How the assistant speaks and when the company opens, on one page, with a live preview: staff type a
customer's message and read what the assistant would answer with the form as it is on screen, before
saving (conversations/assistant/preview.py; nothing is sent or stored)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path

from conversations.admin_settings.base import SETTINGS_PERM, SettingsAdmin, SettingsChangedAdmin
from conversations.admin_settings.fields import WeekHoursField
from conversations.assistant.models import CompanyProfile, KnowledgeItem
from conversations.assistant.preview import reply_preview
from conversations.assistant.weekly_hours import business_hours_of, spans_of_business_hours, week_summary
from secretaria.admin_sites import tenant_admin

TONE = ["assistant_name", "formality", "empathy", "humour", "emoji"]
HOURS_HELP = ("O que a assistente diz sobre quando a empresa abre. Dois intervalos num dia deixam uma pausa "
              "(o almoço); um dia marcado como fechado não abre. Sem nenhum horário, a assistente entende que "
              "a empresa atende a qualquer hora. Os horários em que cada profissional atende (os que a agenda "
              "oferece) ficam em Horários dos profissionais.")


class CompanyProfileForm(forms.ModelForm):
    business_hours = WeekHoursField(label="Horário de atendimento", required=False, help_text=HOURS_HELP)

    class Meta:
        model = CompanyProfile
        fields = [*TONE, "business_hours", "out_of_hours_message", "opens_on_holidays", "state",
                  "handoff_timeout_minutes"]

    def clean_business_hours(self) -> dict:
        return business_hours_of(self.cleaned_data.get("business_hours") or [])


def company_profile() -> CompanyProfile:
    """The company's profile row (created with the defaults on first use, as the assistant reads them)."""
    profile, _ = CompanyProfile.objects.get_or_create(singleton=1)
    return profile


@admin.register(CompanyProfile, site=tenant_admin)
class CompanyProfileAdmin(SettingsAdmin):
    form = CompanyProfileForm
    list_display = ["assistant_name", "formality", "handoff_timeout_minutes", "updated_at"]
    change_form_template = "settings_panel/profile_change_form.html"

    class Media:
        js = ("settings_panel/preview.js",)
        css = {"all": ("settings_panel/settings.css",)}

    def get_fieldsets(self, request, obj=None):
        # A view-only page prints each field's value: the week in words, not its JSON.
        hours = "business_hours" if self.has_change_permission(request, obj) else "business_hours_text"
        return [
            ("Assistente e tom", {"fields": TONE, "description": (
                "Como a assistente fala com os clientes. Experimente na prévia abaixo antes de salvar.")}),
            ("Horário de atendimento", {"fields": [hours, "out_of_hours_message"]}),
            ("Feriados", {"fields": ["opens_on_holidays", "state"], "description": (
                "A assistente já conhece os feriados nacionais (e os do estado escolhido). A lista do ano e as "
                "folgas da empresa estão em Folgas e feriados.")}),
            ("Atendimento humano", {"fields": ["handoff_timeout_minutes"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if self.has_change_permission(request, obj) else ["business_hours_text"]

    @admin.display(description="horário de atendimento")
    def business_hours_text(self, obj):
        return week_summary(spans_of_business_hours(obj.business_hours)) or "Não definido (atende a qualquer hora)"

    def current_view(self, request):
        """The company's one profile, straight away (the settings screen links here)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return redirect("tenant_admin:conversations_companyprofile_change", company_profile().pk)

    def get_urls(self):
        preview = path("<path:object_id>/previa/", self.admin_site.admin_view(self.preview_view),
                       name="conversations_companyprofile_preview")
        current = path("atual/", self.admin_site.admin_view(self.current_view),
                       name="conversations_companyprofile_current")
        return [preview, current, *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        may_preview = change and obj is not None and request.user.has_perm(SETTINGS_PERM)
        context["preview_url"] = "admin:conversations_companyprofile_preview" if may_preview else ""
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def preview_view(self, request, object_id):
        """POST the change form as it is on screen plus `preview_message`: the answer, as JSON.

        The form's valid fields are applied to the profile in memory only (a field with an error
        keeps its saved value); nothing is saved, sent or counted.
        """
        if request.method != "POST" or not request.user.has_perm(SETTINGS_PERM):
            raise PermissionDenied
        message = (request.POST.get("preview_message") or "").strip()
        if not message:
            return JsonResponse({"error": "Escreva a mensagem de um cliente para ver a resposta."}, status=400)
        form = CompanyProfileForm(request.POST, instance=company_profile())
        form.is_valid()  # applies every valid field to form.instance, in memory
        answer = reply_preview(profile=form.instance, message=message)
        unsaved = sorted(name for name in form.errors if name in form.fields)
        return JsonResponse({**answer.as_json(), "ignored": [str(form.fields[n].label) for n in unsaved]})


@admin.register(KnowledgeItem, site=tenant_admin)
class KnowledgeItemAdmin(SettingsChangedAdmin):
    list_display = ["title", "kind", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["title", "answer", "keywords"]
