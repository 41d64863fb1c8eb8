"""Two admin sites: the platform's (public host) and each company's (its own host).

Django's default registry is global; with django-tenants that would show every
model on every host. Each model registers on exactly one of these instead.
"""

from django.contrib import admin
from django.db import connection
from django.templatetags.static import static
from django.urls import URLPattern, include, path, reverse

from secretaria.panel.screens import PUBLIC, TENANT, Screen, screens_of


class PanelSite(admin.AdminSite):
    """An admin site that mounts the panel's screens (secretaria/panel/screens.py).

    The screens come before Django's own URLs (whose `<app_label>/` pattern would swallow
    them), a screen with `home` answers the index, and Django's list of every model stays one
    click away at `/admin/cadastros/`.
    """

    panel_site = TENANT

    def get_urls(self):
        mounted = [path(f"{screen.name}/", self._wrapped(screen)) for screen in screens_of(self.panel_site)]
        catalogue = path("cadastros/", self.admin_view(self.catalogue), name="catalogue")
        return [catalogue, *mounted, *super().get_urls()]

    def _wrapped(self, screen: Screen):
        patterns = [
            URLPattern(p.pattern, self.admin_view(p.callback), p.default_args, p.name) for p in screen.urls()
        ]
        return include(patterns)

    def index(self, request, extra_context=None):
        for screen in screens_of(self.panel_site):
            if screen.home is not None:
                return screen.home(request, self)
        return super().index(request, extra_context)

    def catalogue(self, request):
        """Django's own index: every model this user may see, grouped by app."""
        return super().index(request, {"title": "Todos os cadastros"})

    def each_context(self, request):
        context = super().each_context(request)
        user = request.user
        screens = [s for s in screens_of(self.panel_site) if user.is_authenticated and s.visible(user)]
        context["panel_menu"] = [
            {"name": screen.name, "label": screen.label, "url": reverse(f"{self.name}:{screen.menu_url}")}
            for screen in screens if screen.menu_url
        ]
        context["panel_scripts"] = [static(s) for screen in screens for s in screen.scripts]
        return context


class PublicAdminSite(PanelSite):
    panel_site = PUBLIC
    site_header = "Secretaria — plataforma"
    site_title = "Secretaria (plataforma)"
    index_title = "Empresas, planos e assinaturas"

    def has_permission(self, request):
        return (
            connection.schema_name == "public"
            and request.user.is_active
            and request.user.is_superuser
        )


class TenantAdminSite(PanelSite):
    panel_site = TENANT
    site_header = "Secretaria"
    site_title = "Secretaria"
    index_title = "Painel da empresa"

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["site_header"] = f"Secretaria — {tenant.name}"
        return context

    def has_permission(self, request):
        # Any staff member with a role enters; what they see and change is then
        # decided per model by their role's permissions (accounts/roles.py).
        return (
            connection.schema_name != "public"
            and request.user.is_active
            and request.user.is_staff
            and request.user.role is not None
        )


public_admin = PublicAdminSite(name="public_admin")
tenant_admin = TenantAdminSite(name="tenant_admin")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write and nobody edits, whatever the role (records, trails, logs)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
