"""A/B tests on the company admin: list, detail with the results per variant, and start / pause / stop
actions (the same services as the API). A test is edited only while it is a draft; afterwards its page
shows what ran and how it went. Viewers and operators look; owners and managers change.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.html import format_html, format_html_join

from secretaria.admin_sites import tenant_admin
from secretaria.errors import Conflict
from templates.experiments import selectors, services
from templates.experiments.models import MAX_VARIANTS, MIN_VARIANTS, Experiment, ExperimentVariant
from templates.replies.catalogue import slot_get, slots
from templates.replies.syntax import validate

Status = Experiment.Status
_SETTINGS = ["name", "slot", "variant", "outcome", "epsilon", "window_hours", "auto_stop", "auto_stop_threshold",
             "auto_stop_min_exposures"]


def _slot_choices() -> list[tuple[str, str]]:
    return [(slot.name, f"{slot.label} ({slot.name})") for slot in slots().values()]


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


class ExperimentForm(forms.ModelForm):
    slot = forms.TypedChoiceField(label="momento", choices=_slot_choices)

    class Meta:
        model = Experiment
        fields = _SETTINGS

    def clean(self):
        data = super().clean()
        slot, variant = data.get("slot"), data.get("variant") or ""
        if slot:
            try:
                services.slot_checked(slot=slot, variant=variant)
                if self.instance.pk is None:
                    services.no_running_test_check(slot=slot, variant=variant)
            except ValidationError as exc:
                for field, errors in _field_errors(exc).items():
                    self.add_error(field if field in self.fields else None, errors)
        return data


class VariantFormSet(forms.BaseInlineFormSet):
    """2-4 different texts, each valid for the slot's variables (as the API checks them)."""

    def clean(self):
        super().clean()
        try:
            variables = slot_get(self.instance.slot).variables
        except LookupError:
            return  # the slot's own error is on the test's form
        texts = []
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            text = form.cleaned_data.get("text", "")
            try:
                validate(text, allowed=variables)
            except ValidationError as exc:
                form.add_error("text", exc.messages)
            texts.append(text.strip())
        if not MIN_VARIANTS <= len(texts) <= MAX_VARIANTS:
            raise ValidationError(f"Um teste A/B tem de {MIN_VARIANTS} a {MAX_VARIANTS} variações.")
        if len(set(texts)) != len(texts):
            raise ValidationError("As variações precisam ter textos diferentes.")


class VariantInline(admin.TabularInline):
    model = ExperimentVariant
    formset = VariantFormSet
    fields = ["position", "text"]
    extra = 0
    min_num, max_num = MIN_VARIANTS, MAX_VARIANTS

    def _draft(self, obj) -> bool:
        return obj is None or obj.status == Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


@admin.register(Experiment, site=tenant_admin)
class ExperimentAdmin(admin.ModelAdmin):
    form = ExperimentForm
    inlines = [VariantInline]
    list_display = ["__str__", "slot_label", "status", "outcome", "exposure_count", "leader", "started_at"]
    list_filter = ["status", "outcome"]
    search_fields = ["name", "slot"]
    actions = ["start_selected", "pause_selected", "stop_selected", "stop_with_leader"]
    _LOG = ["status", "stop_reason", "winner", "created_by", "created_at", "started_at", "stopped_at", "results"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(exposure_total=Count("exposures"))

    def get_fieldsets(self, request, obj=None):
        sets = [(None, {"fields": _SETTINGS})]
        if obj is not None:
            sets.append(("Andamento e resultados", {"fields": self._LOG}))
        return sets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*(_SETTINGS if obj.status != Status.DRAFT else []), *self._LOG]

    def has_delete_permission(self, request, obj=None):
        # A running test is stopped first; its record stays useful after that.
        return (obj is None or obj.status != Status.RUNNING) and super().has_delete_permission(request, obj)

    # --- what the pages show --------------------------------------------------------------------

    @admin.display(description="momento")
    def slot_label(self, obj):
        return obj.slot_label

    @admin.display(description="exposições", ordering="exposure_total")
    def exposure_count(self, obj):
        return getattr(obj, "exposure_total", None)

    @admin.display(description="melhor até agora")
    def leader(self, obj):
        if not getattr(obj, "exposure_total", 0):
            return "—"
        rows = selectors.experiment_results(experiment=obj)["variants"]
        top = max(rows, key=lambda row: row["p_best"] or 0)
        return f"{top['label']} ({_percent(top['p_best'])} de chance)"

    @admin.display(description="resultados por variação")
    def results(self, obj):
        data = selectors.experiment_results(experiment=obj)
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                           "Variação", "Texto", "Exposições", "Conversões", "Taxa", "Intervalo de 95 %",
                           "Chance de ser a melhor")
        body = format_html_join("", "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                                    "<td>{}</td></tr>", (
            (row["label"], " (vencedora)" if row["winner"] else "", row["text"], row["exposures"],
             row["conversions"], _percent(row["rate"]), _interval(row["interval"]), _percent(row["p_best"]))
            for row in data["variants"]))
        return format_html('<table class="abtest-results">{}{}</table><p>{}</p>', head, body,
                           f"Medido: {obj.get_outcome_display()}, em até {obj.window_hours} h após ver o texto.")

    # --- saving: a new test through the service, with its variants ----------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)  # only drafts reach here with their fields editable
        # A new test is created in save_related, with its variants, by the same service as the API.

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
            return
        texts = [f.cleaned_data["text"] for formset in formsets for f in formset.forms
                 if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        data = form.cleaned_data
        created = services.experiment_create(
            slot=data["slot"], variant=data.get("variant") or "", texts=texts, outcome=data["outcome"],
            epsilon=data["epsilon"], window_hours=data["window_hours"], auto_stop=data["auto_stop"],
            auto_stop_threshold=data["auto_stop_threshold"], auto_stop_min_exposures=data["auto_stop_min_exposures"],
            name=data.get("name") or "", actor=request.user.email)
        form.instance.pk = created.pk
        form.instance.created_at = created.created_at
        for formset in formsets:  # what the admin's history entry reads of a saved formset
            formset.new_objects, formset.changed_objects, formset.deleted_objects = list(created.variants.all()), [], []

    # --- actions ------------------------------------------------------------------------------------

    def _each(self, request, queryset, act, done: str) -> None:
        ok = 0
        for experiment in queryset:
            try:
                act(experiment)
                ok += 1
            except (ValidationError, Conflict) as exc:
                text = exc.message if isinstance(exc, Conflict) else " ".join(exc.messages)
                self.message_user(request, f"{experiment}: {text}", messages.ERROR)
        if ok:
            self.message_user(request, f"{ok} teste(s) {done}.", messages.SUCCESS)

    @admin.action(description="Iniciar ou retomar os testes selecionados", permissions=["change"])
    def start_selected(self, request, queryset):
        self._each(request, queryset, lambda e: services.experiment_start(experiment=e, actor=request.user.email),
                   "iniciado(s)")

    @admin.action(description="Pausar os testes selecionados", permissions=["change"])
    def pause_selected(self, request, queryset):
        self._each(request, queryset, lambda e: services.experiment_pause(experiment=e, actor=request.user.email),
                   "pausado(s)")

    @admin.action(description="Encerrar os testes selecionados (sem mudar o modelo)", permissions=["change"])
    def stop_selected(self, request, queryset):
        self._each(request, queryset, lambda e: services.experiment_stop(experiment=e, actor=request.user.email),
                   "encerrado(s)")

    @admin.action(description="Encerrar e aplicar ao modelo a variação com mais chance de ser a melhor",
                  permissions=["change"])
    def stop_with_leader(self, request, queryset):
        def act(experiment):
            rows = selectors.experiment_results(experiment=experiment)["variants"]
            if not any(row["exposures"] for row in rows):
                raise ValidationError("ninguém viu este teste ainda: encerre sem aplicar.")
            leader = max(rows, key=lambda row: row["p_best"] or 0)
            services.experiment_stop(experiment=experiment, winner_id=leader["id"], actor=request.user.email)

        self._each(request, queryset, act, "encerrado(s), com a vencedora aplicada ao modelo")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def _interval(interval: list[float] | None) -> str:
    return "—" if interval is None else f"{_percent(interval[0])} a {_percent(interval[1])}"

