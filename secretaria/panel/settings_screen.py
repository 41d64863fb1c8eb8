"""The "Configurações" screen: every setting of the company, in words people use, one click away."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from secretaria.admin_sites import tenant_admin
from secretaria.panel.screens import Screen
from secretaria.panel.views import screen_page


def _page(request):
    if not SCREEN.visible(request.user):
        raise PermissionDenied
    return screen_page(request, tenant_admin, template="panel/placeholder.html", title="Configurações")


def urls():
    return [path("", _page, name="settings")]


SCREEN = Screen(name="settings", label="Configurações", urls=urls, menu_url="settings", order=80,
                visible=lambda user: user.has_perm("accounts.manage_settings") or user.role == "viewer")
