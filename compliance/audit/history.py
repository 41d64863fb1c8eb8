"""Field-level history of the company's settings and catalogue (django-auditlog), shown on
each row's "Histórico" page in the company admin.

The lower apps stay unaware: this module registers their models with auditlog and gives
their admin pages the history view. Secrets are masked: the history says they changed,
never what they were.
"""

from urllib.parse import unquote

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from accounts.models import User
from agenda.models import CalendarConfig, Professional, Service, TimeOff, WorkingHours
from conversations.assistant.models import CompanyProfile, KnowledgeItem, LLMConfig
from conversations.channels.models import Channel

MASK = "••••••"
_TIMESTAMPS = ["created_at", "updated_at"]

# model -> auditlog options. User is registered by accounts itself (accounts/apps.py).
AUDITED_SETTINGS = {
    Channel: {"exclude_fields": _TIMESTAMPS, "mask_fields": ["secrets", "inbound_secret"]},
    CompanyProfile: {"exclude_fields": _TIMESTAMPS},
    KnowledgeItem: {"exclude_fields": _TIMESTAMPS},
    LLMConfig: {"exclude_fields": _TIMESTAMPS, "mask_fields": ["api_key"]},
    CalendarConfig: {"exclude_fields": _TIMESTAMPS, "mask_fields": ["calcom_api_key", "calcom_webhook_secret"]},
    Professional: {"exclude_fields": _TIMESTAMPS},
    Service: {"exclude_fields": _TIMESTAMPS},
    WorkingHours: {"exclude_fields": _TIMESTAMPS},
    TimeOff: {"exclude_fields": _TIMESTAMPS},
}
HISTORY_MODELS = [*AUDITED_SETTINGS, User]

ACTIONS = {LogEntry.Action.CREATE: "criação", LogEntry.Action.UPDATE: "alteração",
           LogEntry.Action.DELETE: "exclusão", LogEntry.Action.ACCESS: "acesso"}


def mask_secret(value: str) -> str:
    """auditlog's mask for secrets: whether there is one, nothing of it."""
    return MASK if value and value != "None" else ""


def auditlog_register_settings() -> None:
    for model, options in AUDITED_SETTINGS.items():
        if not auditlog.contains(model):
            mask = {"mask_callable": "compliance.audit.history.mask_secret"} if options.get("mask_fields") else {}
            auditlog.register(model, **options, **mask)


def field_label(model, name: str) -> str:
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except (AttributeError, FieldDoesNotExist):  # a model since removed (model is None), a field since renamed
        return name


def entry_changes(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each field the entry changed."""
    model = entry.content_type.model_class()
    return [(field_label(model, name), *_before_after(values)) for name, values in (entry.changes_dict or {}).items()]


def _before_after(values) -> tuple[str, str]:
    if not isinstance(values, list | tuple):  # many-to-many changes: {"type": "m2m", "objects": [...]...}
        return "", str(values)
    return tuple("" if value is None else str(value) for value in (list(values) + [None, None])[:2])


class AuditlogHistoryMixin:
    """The admin's "Histórico" page lists the row's auditlog entries, field by field."""

    history_per_page = 25

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        entries = LogEntry.objects.get_for_object(obj).select_related("actor", "content_type").order_by("-timestamp")
        page = Paginator(entries, self.history_per_page).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Histórico de alterações: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
            "page_obj": page,
            "entries": [{"entry": e, "action": ACTIONS.get(e.action, e.action), "changes": entry_changes(e)}
                        for e in page],
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "compliance/admin/auditlog_history.html", context)


def admin_history_attach(site: admin.AdminSite) -> None:
    """Give each audited model's admin on `site` the auditlog history page (re-registering it
    with the mixin in front of its own class)."""
    for model in HISTORY_MODELS:
        model_admin = site._registry.get(model)
        if model_admin is None or isinstance(model_admin, AuditlogHistoryMixin):
            continue
        admin_class = type(model_admin)
        site.unregister(model)
        site.register(model, type(admin_class.__name__, (AuditlogHistoryMixin, admin_class),
                                  {"__module__": admin_class.__module__}))
