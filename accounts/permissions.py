"""DRF permissions backed by the same Django permissions the admin uses (see roles.py)."""

from django.db import connection
from rest_framework import permissions


class RoleModelPermissions(permissions.DjangoModelPermissions):
    """Model permissions, reads included: a user without a role sees nothing."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }


class IsCompanyMember(permissions.BasePermission):
    """An authenticated user of the host's company (never on the public host)."""

    def has_permission(self, request, view):
        return bool(
            request.user
            and request.user.is_authenticated
            and connection.schema_name != "public"
            and request.user.role is not None
        )


class IsPlatformAdmin(permissions.BasePermission):
    """A superuser of the public schema, on the public host."""

    def has_permission(self, request, view):
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.is_superuser
            and connection.schema_name == "public"
        )


def require_perm(codename: str, *, reads_too: bool = False, reads: str = "") -> type[permissions.BasePermission]:
    """A permission class: writes only with `codename`; reads for any member, or only with `reads`
    (a view permission: e.g. the settings, which the operator does not see), or with `codename` too."""

    class _Perm(IsCompanyMember):
        def has_permission(self, request, view):
            if not super().has_permission(request, view):
                return False
            if request.method in permissions.SAFE_METHODS and not reads_too:
                return not reads or request.user.has_perm(reads)
            return request.user.has_perm(codename)

    _Perm.__name__ = f"Requires_{codename.replace('.', '_')}"
    return _Perm
