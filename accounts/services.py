"""Writes on users. Each function runs in the schema that is current (the company's)."""

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from accounts.roles import Role, roles_sync
from secretaria.events import RoleChanged, publish
from secretaria.limits import STAFF, limit_check


def _role_group(role: str) -> Group:
    try:
        return Group.objects.get(name=Role(role).value)
    except Group.DoesNotExist:
        # A schema migrated before its roles were synced: sync now rather than fail.
        return roles_sync()[Role(role).value]


def _staff_check(actor: User | None, action: str) -> None:
    # The staff are the owner's to change (accounts/roles.py, the same permission the admin and the
    # API ask); actor=None means the system itself (provisioning, bootstrap).
    if actor is not None and not actor.has_perm(f"accounts.{action}_user"):
        raise PermissionDenied("Só um proprietário altera a equipe.")


@dataclass(frozen=True)
class PasswordHashed:
    encoded: str  # what make_password(password) gives
    seconds: float  # computing it


def password_hash_begin(password: str) -> Future[PasswordHashed]:
    """Start hashing `password` in a thread of its own and return at once.

    The hash (Argon2id at Django's cost, settings.PASSWORD_HASHERS) is the slowest part of creating
    a user and needs no database. A caller with database work to do before the user exists
    (company_provision replays a whole schema) overlaps the two: argon2-cffi and hashlib release
    the GIL, and PostgreSQL works in its own process meanwhile. A short-lived executor per call: a
    pool kept in the module would not survive a pre-forking server's fork.
    """
    def timed() -> PasswordHashed:
        started = time.perf_counter()
        return PasswordHashed(encoded=make_password(password), seconds=time.perf_counter() - started)

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password-hash")
    try:
        return executor.submit(timed)
    finally:
        executor.shutdown(wait=False)  # the thread ends with its one task


@transaction.atomic
def user_create(
    *, email: str, password: str, role: str, full_name: str = "", actor: User | None = None,
    password_hash: str | None = None,
) -> User:
    """Create a staff member with a role; the password must pass the validators.

    `password_hash`: the password's hash when the caller computed it already (password_hash_begin),
    so it is not computed twice; the password itself is still validated.
    """
    _staff_check(actor, "add")
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ["Já existe um usuário com este e-mail."]})
    candidate = User(email=email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    _seat_check()
    user = User.objects.create_user(email, password, password_hash=password_hash, full_name=full_name, is_staff=True)
    user.groups.set([_role_group(role)])
    _role_changed(user, actor=actor, old_role="", new_role=role)
    return user


def _seat_check() -> None:
    # The plan's number of active staff users (billing fills the seam): 402 when it is full.
    limit_check(STAFF, count=User.objects.filter(is_active=True).count)


def _role_changed(user: User, *, actor: User | None, old_role: str, new_role: str) -> None:
    # Heard by the audit trail (compliance): who gave whom which role, or took it away.
    publish(RoleChanged(user_id=user.pk, email=user.email, old_role=old_role, new_role=new_role,
                        actor=actor.email if actor is not None else "system", active=user.is_active))


@transaction.atomic
def user_update(
    *,
    user: User,
    actor: User | None,
    role: str | None = None,
    full_name: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Change a member's role, name or activity (owners only: accounts/roles.py)."""
    _staff_check(actor, "change")
    if actor is not None and actor.pk == user.pk and (role is not None or is_active is False):
        raise PermissionDenied("Você não pode alterar o próprio papel nem se desativar.")
    old_role, was_active = user.role or "", user.is_active
    fields = []
    if full_name is not None:
        user.full_name = full_name
        fields.append("full_name")
    if is_active and not was_active:
        _seat_check()
    if is_active is not None:
        user.is_active = is_active
        fields.append("is_active")
    if fields:
        user.save(update_fields=fields)
    if role is not None:
        user.groups.set([_role_group(role)])
    new_role = role if role is not None else old_role
    if new_role != old_role or user.is_active != was_active:
        _role_changed(user, actor=actor, old_role=old_role, new_role=new_role)
    return user


def user_deactivate(*, user: User, actor: User | None) -> User:
    """Staff are deactivated, never deleted: the audit trail keeps pointing at them."""
    return user_update(user=user, actor=actor, is_active=False)


def platform_admin_ensure(*, email: str, password: str, reset_password: bool) -> tuple[User, bool]:
    """Create the platform admin in the public schema if missing. Returns (user, created)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return User.objects.create_superuser(email, password), True
    if reset_password:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, False


def member_ensure(*, email: str, password: str, role: str) -> User:
    """Make sure `email` is a member with `role` and `password` (set-up scripts, demo data)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return user_create(email=email, password=password, role=role)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    user.groups.set([_role_group(role)])
    return user
