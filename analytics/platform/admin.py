"""The platform admin's page of companies at risk of leaving or ready for a bigger plan (public host).

Sorted by score (highest first; every column sorts), the reasons in pt-BR, filters by kind and
status, and accept / dismiss as actions (recorded with who and when).
"""

from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from analytics.evidence import QUOTAS, figures_html
from analytics.platform.models import CompanyRecommendation
from analytics.platform.services import company_recommendation_decide
from secretaria.admin_sites import public_admin
from secretaria.errors import Conflict

Status = CompanyRecommendation.Status


@admin.register(CompanyRecommendation, site=public_admin)
class CompanyRecommendationAdmin(admin.ModelAdmin):
    list_display = ["company", "kind", "score_shown", "reasons_shown", "status", "refreshed_at", "open_situation"]
    list_filter = ["kind", "status", ("closed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["company"]
    search_fields = ["company__name", "company__slug"]
    ordering = ["-score", "-created_at"]
    fields = ["company", "kind", "subject_shown", "score_shown", "reasons_shown", "evidence_shown", "status",
              "decided_by", "decided_at", "created_at", "refreshed_at", "closed_at"]
    readonly_fields = fields
    actions = ["accept", "dismiss"]

    @admin.display(description="pontuação", ordering="score")
    def score_shown(self, obj: CompanyRecommendation) -> str:
        return f"{obj.score:.2f}".replace(".", ",")

    @admin.display(description="motivos")
    def reasons_shown(self, obj: CompanyRecommendation) -> str:
        # One reason per line, each escaped.
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in obj.summary.splitlines()))

    @admin.display(description="cota")
    def subject_shown(self, obj: CompanyRecommendation) -> str:
        # An upgrade's subject is the quota it is about; a churn risk has none.
        return QUOTAS.get(obj.subject, obj.subject) or "—"

    @admin.display(description="evidências")
    def evidence_shown(self, obj: CompanyRecommendation):
        return figures_html(obj.evidence)

    @admin.display(description="situação ainda existe", boolean=True)
    def open_situation(self, obj: CompanyRecommendation) -> bool:
        return obj.is_open

    def has_add_permission(self, request):
        return False  # written by the daily run only

    @admin.action(description="Aceitar (alguém vai falar com a empresa)")
    def accept(self, request, queryset):
        self._each(request, queryset, Status.ACCEPTED, "aceita(s)")

    @admin.action(description="Descartar")
    def dismiss(self, request, queryset):
        self._each(request, queryset, Status.DISMISSED, "descartada(s)")

    def _each(self, request, queryset, status: str, done: str) -> None:
        count = 0
        for row in queryset:
            try:
                company_recommendation_decide(recommendation=row, status=status, actor=request.user.email)
                count += 1
            except Conflict as exc:
                messages.error(request, f"{row.company}: {exc.message}")
        if count:
            messages.success(request, f"{count} recomendação(ões) {done}.")
