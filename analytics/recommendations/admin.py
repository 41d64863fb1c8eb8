"""Recommendations on the company admin: the list, newest first, with accept and dismiss as actions.

Nothing is edited by hand: the rows are the daily run's, and the answers go through the services
(the same as the API's), so accepting here sends the same messages, once.
"""

from django.contrib import admin, messages
from django.utils.html import format_html

from analytics.evidence import figures_html
from analytics.recommendations.actions import ACTION_LABELS, action_link
from analytics.recommendations.models import Recommendation
from analytics.recommendations.services import recommendation_accept, recommendation_dismiss
from secretaria.admin_sites import tenant_admin
from secretaria.errors import Conflict


@admin.register(Recommendation, site=tenant_admin)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "importance", "status", "created_at", "decided_by", "open_situation"]
    list_filter = ["status", "kind", ("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["title"]
    ordering = ["-created_at"]
    fields = ["title", "kind", "importance", "status", "what_to_do", "evidence_shown", "result_shown", "decided_by",
              "decided_at", "created_at", "refreshed_at", "closed_at"]
    readonly_fields = fields
    actions = ["accept", "dismiss"]

    @admin.display(description="situação ainda existe", boolean=True)
    def open_situation(self, obj: Recommendation) -> bool:
        return obj.is_open

    @admin.display(description="evidências")
    def evidence_shown(self, obj: Recommendation):
        return figures_html(obj.evidence)

    @admin.display(description="resultado da ação")
    def result_shown(self, obj: Recommendation):
        return figures_html(obj.result)

    @admin.display(description="ação")
    def what_to_do(self, obj: Recommendation) -> str:
        label, link = ACTION_LABELS.get(obj.kind, ""), action_link(obj)
        return format_html('<a href="{}">{}</a>', link, label) if link else label

    def has_add_permission(self, request):
        return False  # written by the daily run only

    def has_delete_permission(self, request, obj=None):
        return False  # the history of what was proposed and answered stays

    @admin.action(description="Aceitar (executa a ação)", permissions=["change"])
    def accept(self, request, queryset):
        self._each(request, queryset, recommendation_accept, "aceita(s)")

    @admin.action(description="Descartar", permissions=["change"])
    def dismiss(self, request, queryset):
        self._each(request, queryset, recommendation_dismiss, "descartada(s)")

    def _each(self, request, queryset, service, done: str) -> None:
        count = 0
        for row in queryset:
            try:
                service(recommendation=row, actor=request.user.email)
                count += 1
            except Conflict as exc:
                messages.error(request, f"{row}: {exc.message}")
        if count:
            messages.success(request, f"{count} recomendação(ões) {done}.")
