"""Roles per company, as Django groups with permissions.

The REST API (`permissions.py`) and the tenant admin both decide with
`user.has_perm()`, so this module is the one place that says who may do what:

- viewer: sees everything, changes nothing;
- operator: runs the day-to-day and only that: the inbox and the calendar (customers,
  conversations, messages, appointments and what follows them); no settings, no secrets,
  no reports or exports, no staff list;
- manager: everything but the staff and the billing: settings, reply templates, the catalogue,
  and may delete; sees the staff list but adds, changes or deactivates nobody;
- owner: everything: the staff (any role, owners included) and the billing.

Nobody changes the audit trails or the role groups themselves.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models

# Apps whose rows staff create and edit in daily work.
OPERATIONAL_APPS = {"conversations", "agenda"}
# What an operator sees at all: the rows of the inbox and the calendar. Their apps' other models
# (channels and their secrets, the AI's settings and costs, professionals, services) are settings.
OPERATOR_MODELS = {
    ("conversations", "contact"), ("conversations", "conversation"), ("conversations", "message"),
    ("agenda", "appointment"), ("agenda", "appointmentevent"), ("agenda", "reminder"),
    ("agenda", "followup"), ("agenda", "waitlistentry"),
    ("agenda", "timeoff"),  # a professional off sick today is the calendar's business
}
# Apps whose rows are company configuration.
SETTINGS_APPS = {"templates", "analytics"}
# Models only ever read through the panel, whatever the role: records that services write (the
# audit trail and its archive, field history, consent changes). LGPD requests are read-only in the
# admin too, but "add" on them is what lets a manager ask for an export or an erasure in the API.
READ_ONLY_MODELS = {
    ("compliance", "auditevent"), ("compliance", "auditarchivesegment"), ("compliance", "settingschange"),
    ("compliance", "consent"), ("auditlog", "logentry"),
}
# Rows only owners add, change or delete: the staff themselves (who works here, with which role).
OWNER_MODELS = {("accounts", "user")}
# Apps with nothing for staff to see or touch.
HIDDEN_APPS = {"admin", "auth", "axes", "contenttypes", "sessions", "token_blacklist"}


class Role(models.TextChoices):
    VIEWER = "viewer", "Leitor"
    OPERATOR = "operator", "Operador"
    MANAGER = "manager", "Gerente"
    OWNER = "owner", "Proprietário"


RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.MANAGER: 2, Role.OWNER: 3}


def _grants(role: Role, app: str, model: str, action: str) -> bool:
    """Whether `role` may perform `action` (view/add/change/delete/custom) on app.model."""
    if app in HIDDEN_APPS:
        return False
    if role == Role.OPERATOR and (app, model) not in OPERATOR_MODELS:
        return False
    if action == "view":
        return True
    if (app, model) in READ_ONLY_MODELS:
        return False
    if (app, model) in OWNER_MODELS:
        return role == Role.OWNER
    rank = RANK[role]
    if app in OPERATIONAL_APPS:
        return rank >= RANK[Role.OPERATOR] if action in ("add", "change") else rank >= RANK[Role.MANAGER]
    return rank >= RANK[Role.MANAGER]


def _split(codename: str, app: str, model: str) -> tuple[str, str, str]:
    action = codename.split("_", 1)[0]
    if action not in ("view", "add", "change", "delete"):
        action = codename
    return app, model, action


def roles_sync() -> dict[str, Group]:
    """Create the role groups of the current schema and give each exactly its permissions.

    Idempotent; run after every migration, since new models bring new permissions. Runs in every
    provisioning (tenants.services), so it works in bulk: three reads, and writes only for what
    differs (none for a schema copied from an up-to-date template).
    """
    names = [role.value for role in Role]
    groups = {group.name: group for group in Group.objects.filter(name__in=names)}
    if len(groups) < len(names):
        # Another process may be creating them too (two deploys' bootstrap): theirs or ours, either will do.
        Group.objects.bulk_create([Group(name=name) for name in names if name not in groups], ignore_conflicts=True)
        groups = {group.name: group for group in Group.objects.filter(name__in=names)}
    wanted = _role_pairs(groups)
    through = Group.permissions.through
    held = set(through.objects.filter(group_id__in=[g.pk for g in groups.values()])
               .values_list("group_id", "permission_id"))
    extra = held - wanted
    for group_id in {group_id for group_id, _ in extra}:
        through.objects.filter(group_id=group_id,
                               permission_id__in=[p for g, p in extra if g == group_id]).delete()
    through.objects.bulk_create([through(group_id=group_id, permission_id=permission_id)
                                 for group_id, permission_id in sorted(wanted - held)])
    return groups


def _role_pairs(groups: dict[str, Group]) -> set[tuple[int, int]]:
    """(group id, permission id) for every permission each role is granted."""
    permissions = Permission.objects.values_list("pk", "codename", "content_type__app_label", "content_type__model")
    return {(groups[role.value].pk, pk) for pk, codename, app, model in permissions
            for role in Role if _grants(role, *_split(codename, app, model))}


def role_of(user) -> str | None:
    names = {g.name for g in user.groups.all()}
    for role in sorted(Role, key=RANK.get, reverse=True):
        if role.value in names:
            return role.value
    return None

