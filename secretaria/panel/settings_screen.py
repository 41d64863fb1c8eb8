"""The "Configurações" screen: every setting of the company, in words people use, one click away, each
saying whether it is set up.

The settings themselves live in the apps above (the agenda's hours and services, the assistant's tone
and channels...), so each app registers its entries here, next to its admin (`setting_entries`); the
entries of apps that register none (users, reply templates, webhooks, LGPD) are declared below by their
admin pages' names and counted through the admin site's own registry, without importing those apps.

Who sees what, from `user.has_perm()`: an entry shows to whoever may view its page; the screen to
whoever may view at least one (managers and owners change them, viewers read them, operators get 403).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, path, reverse

from secretaria.admin_sites import tenant_admin
from secretaria.panel.screens import Screen
from secretaria.panel.views import screen_page
from secretaria.registry import Registry

MANAGE = "accounts.manage_settings"
GROUPS = ("Atendimento", "Agenda", "Conexões", "Equipe e dados")


@dataclass(frozen=True)
class Status:
    """Whether a setting is ready, in a few words: `level` is "ok", "warn" (works, but look at it),
    "bad" (something customers will notice) or "" (nothing to judge)."""

    text: str
    level: str = "ok"


@dataclass(frozen=True)
class SettingEntry:
    name: str
    label: str
    description: str  # what it is for, in a sentence
    group: str  # one of GROUPS
    url_name: str  # a URL name of the company admin ("tenant_admin:...")
    permission: str  # who may open it (a view permission)
    status: Callable[[object], Status] | None = None  # (request) -> Status
    order: int = 100


setting_entries: Registry[SettingEntry] = Registry(key=lambda e: e.name, order=lambda e: (e.order, e.label))


def entries_for(user) -> list[SettingEntry]:
    return [entry for entry in setting_entries.all() if user.has_perm(entry.permission) and _url(entry)]


def may_read_settings(user) -> bool:
    return bool(entries_for(user))


def _url(entry: SettingEntry) -> str:
    try:
        return reverse(entry.url_name)
    except NoReverseMatch:  # the app whose page it is is not installed
        return ""


def _status(entry: SettingEntry, request) -> Status | None:
    return entry.status(request) if entry.status else None


def _page(request):
    if not may_read_settings(request.user):
        raise PermissionDenied
    editor = request.user.has_perm(MANAGE)
    cards = [{"entry": e, "url": _url(e), "status": _status(e, request)} for e in entries_for(request.user)]
    groups = [{"name": name, "cards": [c for c in cards if c["entry"].group == name]} for name in GROUPS]
    return screen_page(request, tenant_admin, template="settings_panel/hub.html", title="Configurações",
                       groups=[g for g in groups if g["cards"]], editor=editor)


def urls():
    return [path("", _page, name="settings")]


SCREEN = Screen(name="settings", label="Configurações", urls=urls, menu_url="settings", order=80,
                visible=may_read_settings)


# --- entries of apps that register none: counted through the admin site's registry ----------------

def _rows(request, label: str) -> int | None:
    """How many rows of `app_label.model` the user may see, asked of the model's admin (None: not installed)."""
    for model, model_admin in tenant_admin._registry.items():
        if model._meta.label_lower == label:
            return model_admin.get_queryset(request).count()
    return None


def _counted(label: str, *, none: Status, some: Callable[[int], Status]) -> Callable[[object], Status]:
    def status(request) -> Status:
        count = _rows(request, label)
        return none if not count else some(count)

    return status


for _entry in (
    SettingEntry("templates", "Modelos de resposta", "Os textos fixos que a assistente envia: saudação, "
                 "confirmações, lembretes. Mude a redação sem mudar o que acontece.", "Atendimento",
                 "tenant_admin:templates_replytemplate_changelist", "templates.view_replytemplate",
                 _counted("templates.replytemplate", none=Status("Textos padrão", ""),
                          some=lambda n: Status(f"{n} texto(s) personalizado(s)"))),
    SettingEntry("webhooks", "Webhooks", "Avisar outros sistemas (CRM, planilhas) quando algo acontece: um "
                 "agendamento, uma avaliação.", "Conexões", "tenant_admin:analytics_webhookendpoint_changelist",
                 "analytics.change_webhookendpoint",
                 _counted("analytics.webhookendpoint", none=Status("Nenhum configurado", ""),
                          some=lambda n: Status(f"{n} endereço(s)"))),
    SettingEntry("users", "Usuários", "Quem da equipe entra no painel e o que cada um pode fazer.",
                 "Equipe e dados", "tenant_admin:accounts_user_changelist", "accounts.view_user",
                 _counted("accounts.user", none=Status("Nenhum usuário", "bad"),
                          some=lambda n: Status(f"{n} usuário(s)"))),
    SettingEntry("lgpd", "LGPD e retenção de dados", "Por quanto tempo guardar mensagens e contatos, e os "
                 "pedidos de clientes sobre os próprios dados.", "Equipe e dados",
                 "tenant_admin:compliance_retentionpolicy_changelist", "compliance.view_retentionpolicy",
                 _counted("compliance.retentionpolicy", none=Status("Prazos padrão", ""),
                          some=lambda n: Status("Prazos definidos"))),
):
    setting_entries.register(_entry)
