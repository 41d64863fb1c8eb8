"""Users live in every schema: platform admins in `public`, a company's staff in its own.

A user's role is its membership of one of the role groups (see `roles.py`).
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, *, password_hash: str | None = None, **extra):
        """`password_hash`: `password`'s hash when the caller computed it already (make_password)."""
        if not email:
            raise ValueError("e-mail obrigatório")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password_hash is None:
            user.set_password(password)
        else:
            user.password = password_hash
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("e-mail", unique=True)
    full_name = models.CharField("nome", max_length=150, blank=True)
    is_active = models.BooleanField("ativo", default=True)
    is_staff = models.BooleanField(
        "acessa o painel", default=False, help_text="Pode entrar no painel administrativo."
    )
    date_joined = models.DateTimeField("desde", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "usuário"
        verbose_name_plural = "usuários"
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def role(self) -> str | None:
        """The user's role in this schema, read from its role group."""
        from accounts.roles import role_of

        return role_of(self)


class Capability(models.Model):
    """Holder of permissions that belong to no table, such as changing company settings.

    Never stored: it only gives these permissions a home (and a content type), so
    that roles grant them like any other and `user.has_perm()` answers for both
    the REST API and the admin.
    """

    class Meta:
        managed = False
        verbose_name = "capacidade"
        verbose_name_plural = "capacidades"
        default_permissions = ()
        permissions = [
            ("manage_settings", "Pode alterar as configurações da empresa"),
            # A "view" permission (roles.py grants it like one): every role but the operator's.
            ("view_settings", "Pode ver as configurações da empresa"),
        ]

    def __str__(self) -> str:
        return "capacidade"
