"""The company's staff, on the tenant admin. Writes go through accounts.services.

Every member but operators sees the list; only owners add, change or deactivate (accounts/roles.py).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import User
from accounts.roles import Role
from secretaria.admin_sites import tenant_admin
from secretaria.limits import STAFF, limit_form_error


def _seat_error(*, adding: bool) -> str | None:
    return limit_form_error(STAFF, adding=adding, count=User.objects.filter(is_active=True).count)


class UserCreationForm(forms.ModelForm):
    role = forms.ChoiceField(label="papel", choices=Role.choices)
    password = forms.CharField(label="senha", widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ["email", "full_name"]

    def clean(self):
        data = super().clean()
        if error := _seat_error(adding=True):
            raise ValidationError(error)
        return data


class UserChangeForm(forms.ModelForm):
    role = forms.ChoiceField(label="papel", choices=Role.choices)

    class Meta:
        model = User
        fields = ["full_name", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["role"] = self.instance.role

    def clean(self):
        data = super().clean()
        if error := _seat_error(adding=bool(data.get("is_active")) and not self.instance.is_active):
            self.add_error("is_active", error)
        return data


class RoleFilter(admin.SimpleListFilter):
    """The role by its name ("Gerente"), not the group's code name ("manager")."""

    title = "papel"
    parameter_name = "papel"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


@admin.register(User, site=tenant_admin)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "role_label", "is_active", "last_login"]
    list_filter = ["is_active", RoleFilter]
    search_fields = ["email", "full_name"]
    ordering = ["email"]

    @admin.display(description="papel")
    def role_label(self, user: User) -> str:
        return Role(user.role).label if user.role else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")  # the role column, without a query a row

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = UserChangeForm if obj else UserCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["email", "full_name", "role", "password"] if obj is None else ["full_name", "role", "is_active"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                # The role only when it changes: the service refuses any role from the user themself.
                role = data["role"] if "role" in form.changed_data else None
                services.user_update(user=obj, actor=request.user, role=role,
                                     full_name=data["full_name"], is_active=data["is_active"])
            else:
                created = services.user_create(email=data["email"], password=data["password"],
                                               role=data["role"], full_name=data["full_name"],
                                               actor=request.user)
                obj.pk = created.pk
        except (PermissionDenied, ValidationError) as exc:
            raise PermissionDenied(str(exc)) from exc

    def save_related(self, request, form, formsets, change):
        """Groups are set by the service from the role field."""

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit trail keeps pointing at users
