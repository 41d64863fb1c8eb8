"""The reply templates on the company admin: "Modelos de resposta".

The page lists every slot of the catalogue (and each of its variants) by moment, customized or
not, with the text the customer receives today; a slot's page shows the default, the variables it
may use with their sample values, and a preview of the text filled with them. Every member reads;
owners and managers (`templates.change_replytemplate`) save and restore the default, through the
same services as the API (same checks, every process sees the change at once).

The rows (ReplyTemplate) are only the company's edits, so the pages are built from the catalogue
rather than from the model's changelist. Imported by templates/admin.py (Django's autodiscovery).
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode

from secretaria.admin_sites import tenant_admin
from secretaria.panel.formats import when
from templates.replies.catalogue import STANDARD, Slot, slots
from templates.replies.models import ReplyTemplate
from templates.replies.preview import Preview, template_preview
from templates.replies.selectors import template_list
from templates.replies.services import template_check, template_reset, template_set
from templates.replies.syntax import MAX_TEXT

MAIN = "texto principal"


class TemplateForm(forms.Form):
    """The text of one (slot, variant), checked as the API checks it (services.template_check)."""

    text = forms.CharField(label="texto", required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 8, "cols": 90}),
                           help_text=f"Até {MAX_TEXT:,} caracteres. ".replace(",", ".")
                           + "Para uma chave literal, use “{{” e “}}”. Alternativas: separe-as com uma linha "
                             "só com ---; o assistente varia entre elas.")

    def __init__(self, *args, slot: Slot, variant: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.slot, self.variant = slot, variant

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].replace("\r\n", "\n")  # browsers send CRLF; alternatives split on \n
        try:
            template_check(self.slot.name, text, self.variant)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("text") or exc.messages) from exc
        return text


@admin.register(ReplyTemplate, site=tenant_admin)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_template = "replies/admin/slot_list.html"
    form_template = "replies/admin/slot_form.html"

    def has_add_permission(self, request):
        return False  # a slot exists in the catalogue; the company edits its text (the slot's page)

    def has_delete_permission(self, request, obj=None):
        return False  # "restaurar padrão" instead, through the services

    def get_urls(self):
        view = self.admin_site.admin_view
        names = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("", view(self.changelist_view), name=f"{names}_changelist"),
            path("slot/<str:slot>/", view(self.slot_view), name=f"{names}_slot"),
            # A row's own URL (links from the history pages) opens its slot's page.
            path("<path:object_id>/change/", view(self.change_view), name=f"{names}_change"),
        ]

    # --- the list ---------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._reset_selected(request)
        context = {
            **self.admin_site.each_context(request),
            "title": "Modelos de resposta",
            "subtitle": None,
            "opts": self.opts,
            "moments": _by_moment(template_list()),
            "can_change": self.has_change_permission(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.list_template, context)

    def _reset_selected(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        chosen = [value.partition(":")[::2] for value in request.POST.getlist("selected")]
        if request.POST.get("action") != "reset" or not chosen:
            messages.warning(request, "Escolha ao menos um modelo para restaurar o padrão.")
            return HttpResponseRedirect(request.path)
        reset = 0
        for slot, variant in chosen:
            try:
                reset += template_reset(slot, variant, by=request.user.email)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        if reset:
            messages.success(request, f"{reset} modelo(s) de volta ao texto padrão.")
        return HttpResponseRedirect(request.path)

    # --- one slot ---------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        row = ReplyTemplate.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if row is None or row.slot not in slots():
            raise Http404("Modelo de resposta não encontrado.")
        return HttpResponseRedirect(_slot_url(row.slot, row.variant))

    def slot_view(self, request, slot: str):
        found = slots().get(slot)
        variant = request.GET.get("variant", "")
        if found is None or (variant and variant not in found.variants):
            raise Http404("Modelo de resposta desconhecido.")
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            return self._slot_post(request, found, variant)
        entry = _entry(slot, variant)
        form = TemplateForm(initial={"text": entry["text"]}, slot=found, variant=variant)
        return self._slot_page(request, found, variant, form, template_preview(slot, None, variant))

    def _slot_post(self, request, found: Slot, variant: str):
        by = request.user.email
        if "_reset" in request.POST:
            template_reset(found.name, variant, by=by)
            messages.success(request, f"“{found.label}” ({variant or MAIN}) de volta ao texto padrão.")
            return HttpResponseRedirect(_slot_url(found.name, variant))
        form = TemplateForm(request.POST, slot=found, variant=variant)
        if not form.is_valid():
            return self._slot_page(request, found, variant, form, None)
        text = form.cleaned_data["text"]
        if "_preview" in request.POST:  # not saved: the page again, with the preview of what was typed
            return self._slot_page(request, found, variant, form, template_preview(found.name, text, variant),
                                   unsaved=True)
        template_set(found.name, text, variant, by=by)
        messages.success(request, f"“{found.label}” ({variant or MAIN}) salvo: vale a partir da próxima mensagem.")
        if "_continue" in request.POST:
            return HttpResponseRedirect(_slot_url(found.name, variant))
        return HttpResponseRedirect(reverse(f"{self.admin_site.name}:templates_replytemplate_changelist"))

    def _slot_page(self, request, found: Slot, variant: str, form: TemplateForm, preview: Preview | None,
                   unsaved: bool = False):
        entry = _entry(found.name, variant)
        row = ReplyTemplate.objects.filter(slot=found.name, variant=variant).first()
        sample = found.sample()
        context = {
            **self.admin_site.each_context(request),
            "title": f"{found.label} ({variant or MAIN})",
            "subtitle": None,
            "opts": self.opts,
            "slot": found,
            "variant": variant,
            "entry": entry,
            "form": form,
            "preview": preview,
            "unsaved": unsaved,
            "variables": [(name, STANDARD.get(name, ""), sample.get(name, "")) for name in found.variables],
            "variants": [(name or MAIN, _slot_url(found.name, name), name == variant)
                         for name in ("", *found.variants)],
            "changed": _changed(row),
            "can_change": self.has_change_permission(request),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.form_template, context)


def _slot_url(slot: str, variant: str = "") -> str:
    url = reverse("tenant_admin:templates_replytemplate_slot", args=[slot])
    return f"{url}?{urlencode({'variant': variant})}" if variant else url


def _entry(slot: str, variant: str) -> dict:
    return next(e for e in template_list() if e["slot"] == slot and e["variant"] == variant)


def _by_moment(entries: Iterable[dict]) -> list[tuple[str, list[dict]]]:
    """The entries grouped by moment, in the catalogue's order, each with its page's URL."""
    moments: dict[str, list[dict]] = {}
    for entry in entries:
        moments.setdefault(entry["moment"] or "Outros", []).append(
            {**entry, "url": _slot_url(entry["slot"], entry["variant"]), "key": f"{entry['slot']}:{entry['variant']}",
             "variant_label": entry["variant"] or MAIN})
    return list(moments.items())


def _changed(row: ReplyTemplate | None) -> str:
    if row is None:
        return ""
    return when(row.updated_at) + (f" por {row.updated_by}" if row.updated_by else "")
