"""Who may do what: the role matrix through the REST API, and the grants behind it (accounts.roles)."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.roles import Role, _grants, roles_sync
from accounts.services import user_update
from tenants.models import Company
from tests.accounts.conftest import NOT_STAFF_WRITERS, READERS, ROLES, WRITERS, stored
from tests.conftest import PASSWORD, _email, member, tokens


def new_user_body(unique: str, role: str = "viewer") -> dict:
    return {"email": f"contratado-{unique}@acme.test", "password": PASSWORD,
            "full_name": "Pessoa Contratada", "role": role}


# --- Reading ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "manager", "viewer"])
def test_every_role_but_the_operator_may_list_and_read_users(api, acme, role):
    client = api(acme, role)

    listing = client.get("/api/users")
    one = client.get(f"/api/users/{member(acme, 'owner').pk}")

    assert listing.status_code == 200
    emails = {u["email"]: u["role"] for u in listing.json()["results"]}
    assert {_email(r, "acme"): r for r in ROLES}.items() <= emails.items()
    assert one.status_code == 200
    assert one.json()["role"] == "owner"


def test_the_operator_sees_no_staff_list(api, acme):
    """The operator's panel is the inbox and the calendar (accounts/roles.py)."""
    client = api(acme, "operator")

    assert client.get("/api/users").status_code == 403
    assert client.get(f"/api/users/{member(acme, 'owner').pk}").status_code == 403


@pytest.mark.parametrize("role", ["owner", "manager", "viewer"])
def test_every_role_but_the_operator_may_read_the_company(api, acme, role):
    response = api(acme, role).get("/api/company")

    assert response.status_code == 200
    assert response.json()["slug"] == "acme"


def test_the_operator_reads_no_company_settings(api, acme):
    """The operator's panel has no settings, and neither has their token (accounts.view_settings)."""
    client = api(acme, "operator")

    assert [client.get(path).status_code for path in ("/api/company", "/api/llm", "/api/agenda/calendar")] == [403] * 3
    assert client.get("/api/agenda/services").status_code == 200  # what it takes to book


def test_the_user_list_also_answers_with_a_trailing_slash(api, acme):
    assert api(acme, "viewer").get("/api/users/").status_code == 200


# --- Creating ---------------------------------------------------------------


def test_the_owner_may_create_a_user(api, acme, unique):
    response = api(acme, "owner").post("/api/users", new_user_body(unique, "operator"), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["role"] == "operator"
    with schema_context("acme"):
        created = User.objects.get(email=f"contratado-{unique}@acme.test")
        assert created.role == "operator" and created.check_password(PASSWORD)


@pytest.mark.parametrize("role", NOT_STAFF_WRITERS)
def test_only_the_owner_may_create_a_user(api, acme, role, unique):
    response = api(acme, role).post("/api/users", new_user_body(unique), format="json")

    assert response.status_code == 403
    with schema_context("acme"):
        assert not User.objects.filter(email=f"contratado-{unique}@acme.test").exists()


def test_a_manager_may_not_create_an_owner(api, acme, unique):
    response = api(acme, "manager").post("/api/users", new_user_body(unique, "owner"), format="json")

    assert response.status_code == 403
    with schema_context("acme"):
        assert not User.objects.filter(email=f"contratado-{unique}@acme.test").exists()


def test_an_owner_may_create_another_owner(api, acme, unique):
    response = api(acme, "owner").post("/api/users", new_user_body(unique, "owner"), format="json")

    assert response.status_code == 201
    assert response.json()["role"] == "owner"


# --- Changing ---------------------------------------------------------------


def test_the_owner_may_change_a_user(api, acme, newcomer):
    target = newcomer(acme, "viewer")

    response = api(acme, "owner").patch(f"/api/users/{target.pk}",
                                     {"role": "operator", "full_name": "Nome Novo"}, format="json")

    assert response.status_code == 200, response.content
    changed = stored(acme, target)
    assert (changed.role, changed.full_name) == ("operator", "Nome Novo")


@pytest.mark.parametrize("role", NOT_STAFF_WRITERS)
def test_only_the_owner_may_change_a_user(api, acme, newcomer, role):
    target = newcomer(acme, "viewer")

    response = api(acme, role).patch(f"/api/users/{target.pk}",
                                     {"role": "manager", "full_name": "Nome Novo"}, format="json")

    assert response.status_code == 403
    unchanged = stored(acme, target)
    assert (unchanged.role, unchanged.full_name) == ("viewer", "")


def test_a_manager_may_not_promote_anyone_to_owner(api, acme, newcomer):
    target = newcomer(acme, "viewer")

    response = api(acme, "manager").patch(f"/api/users/{target.pk}",
                                          {"role": "owner", "full_name": "Promovida"}, format="json")

    assert response.status_code == 403
    unchanged = stored(acme, target)
    assert (unchanged.role, unchanged.full_name) == ("viewer", "")


@pytest.mark.parametrize("change", [{"full_name": "Outro Nome"}, {"role": "viewer"}, {"is_active": False}],
                         ids=["name", "role", "deactivate"])
def test_a_manager_may_not_change_an_owner(api, acme, newcomer, change):
    owner = newcomer(acme, "owner", full_name="Dona")

    response = api(acme, "manager").patch(f"/api/users/{owner.pk}", change, format="json")

    assert response.status_code == 403
    unchanged = stored(acme, owner)
    assert (unchanged.role, unchanged.full_name, unchanged.is_active) == ("owner", "Dona", True)


def test_an_owner_may_demote_another_owner(api, acme, newcomer):
    other_owner = newcomer(acme, "owner")

    response = api(acme, "owner").patch(f"/api/users/{other_owner.pk}", {"role": "manager"}, format="json")

    assert response.status_code == 200
    assert response.json()["role"] == "manager"


@pytest.mark.parametrize("new_role", ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_nobody_may_change_their_own_role(api, acme, role, new_role):
    me = member(acme, role)

    response = api(acme, role).patch(f"/api/users/{me.pk}", {"role": new_role}, format="json")

    assert response.status_code == 403
    assert stored(acme, me).role == role


@pytest.mark.parametrize("role", WRITERS)
def test_owner_and_manager_may_not_deactivate_themselves(api, acme, role):
    me = member(acme, role)
    client = api(acme, role)

    assert client.patch(f"/api/users/{me.pk}", {"is_active": False}, format="json").status_code == 403
    assert client.delete(f"/api/users/{me.pk}").status_code == 403
    assert stored(acme, me).is_active


def test_the_owner_may_change_their_own_name(api, acme):
    me = member(acme, "owner")

    response = api(acme, "owner").patch(f"/api/users/{me.pk}", {"full_name": "Meu Nome"}, format="json")

    assert response.status_code == 200
    assert stored(acme, me).full_name == "Meu Nome"


# --- Deactivating -----------------------------------------------------------


def test_the_owner_may_deactivate_a_user_who_stays_recorded_as_inactive(api, acme, newcomer):
    target = newcomer(acme, "operator")
    client = api(acme, "owner")

    assert client.delete(f"/api/users/{target.pk}").status_code == 204

    assert stored(acme, target).is_active is False
    shown = client.get(f"/api/users/{target.pk}")
    assert shown.status_code == 200
    assert (shown.json()["is_active"], shown.json()["role"]) == (False, "operator")


@pytest.mark.parametrize("role", NOT_STAFF_WRITERS)
def test_only_the_owner_may_deactivate_a_user(api, acme, newcomer, role):
    target = newcomer(acme, "viewer")

    assert api(acme, role).delete(f"/api/users/{target.pk}").status_code == 403
    assert stored(acme, target).is_active is True


def test_a_manager_may_not_deactivate_an_owner(api, acme, newcomer):
    owner = newcomer(acme, "owner")

    assert api(acme, "manager").delete(f"/api/users/{owner.pk}").status_code == 403
    assert stored(acme, owner).is_active is True


def test_a_deactivated_user_is_locked_out_at_once(api, acme, newcomer):
    target = newcomer(acme, "manager")
    client = api(acme, token=tokens(acme, target)["access"])
    assert client.get("/api/users").status_code == 200

    assert api(acme, "owner").delete(f"/api/users/{target.pk}").status_code == 204

    assert client.get("/api/users").status_code == 401
    assert client.get("/api/me").status_code == 401
    login = api(acme).post("/api/auth/token", {"email": target.email, "password": PASSWORD}, format="json")
    assert login.status_code == 401


def test_a_role_change_applies_to_tokens_already_issued(api, acme, newcomer, unique):
    target = newcomer(acme, "manager")
    client = api(acme, token=tokens(acme, target)["access"])

    with schema_context("acme"):
        user_update(user=target, actor=None, role=Role.VIEWER)

    assert client.post("/api/users", new_user_body(unique), format="json").status_code == 403
    assert client.patch("/api/company", {"name": "Tomada"}, format="json").status_code == 403


# --- Company settings -------------------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_owner_and_manager_may_rename_the_company(api, acme, role):
    response = api(acme, role).patch("/api/company", {"name": "Acme Clínica"}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "Acme Clínica"
    assert Company.objects.get(slug="acme").name == "Acme Clínica"


@pytest.mark.parametrize("role", READERS)
def test_operator_and_viewer_may_not_rename_the_company(api, acme, role):
    response = api(acme, role).patch("/api/company", {"name": "Tomada"}, format="json")

    assert response.status_code == 403
    assert Company.objects.get(slug="acme").name == "Acme"


# --- Users without a role, and anonymous requests ---------------------------


@pytest.fixture
def roleless(acme, unique) -> User:
    """A staff account of acme that belongs to no role group."""
    with schema_context("acme"):
        return User.objects.create_user(f"sem-papel-{unique}@acme.test", PASSWORD, is_staff=True)


@pytest.mark.parametrize("method, path", [
    ("get", "/api/users"), ("post", "/api/users"), ("get", "/api/company"), ("patch", "/api/company"),
])
def test_a_user_without_a_role_is_refused(api, acme, roleless, method, path):
    client = api(acme, token=tokens(acme, roleless)["access"])

    response = getattr(client, method)(path, {"name": "Tomada"} if method == "patch" else None, format="json")

    assert response.status_code == 403


@pytest.mark.parametrize("method, path", [
    ("get", "/api/me"), ("get", "/api/users"), ("post", "/api/users"), ("get", "/api/users/1"),
    ("patch", "/api/users/1"), ("delete", "/api/users/1"), ("get", "/api/company"), ("patch", "/api/company"),
])
def test_an_anonymous_request_is_refused_with_401(api, acme, method, path):
    response = getattr(api(acme), method)(path)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


# --- The grants behind the roles (accounts.roles) ---------------------------


@pytest.mark.parametrize("role, app, model, action, allowed", [
    ("viewer", "conversations", "conversation", "view", True),
    ("viewer", "conversations", "conversation", "add", False),
    ("viewer", "accounts", "user", "change", False),
    ("operator", "conversations", "conversation", "add", True),
    ("operator", "agenda", "appointment", "change", True),
    ("operator", "agenda", "appointment", "delete", False),
    ("operator", "accounts", "user", "add", False),
    ("operator", "accounts", "capability", "manage_settings", False),
    ("operator", "templates", "template", "change", False),
    ("manager", "accounts", "user", "view", True),
    ("manager", "accounts", "user", "add", False),
    ("manager", "accounts", "user", "change", False),
    ("owner", "accounts", "user", "change", True),
    ("manager", "accounts", "capability", "manage_settings", True),
    ("manager", "agenda", "appointment", "delete", True),
    ("owner", "templates", "template", "delete", True),
    ("owner", "auth", "group", "change", False),
    ("owner", "auth", "group", "view", False),
    ("owner", "compliance", "auditevent", "view", True),
])
def test_grants_follow_the_role_ranks(role, app, model, action, allowed):
    assert _grants(Role(role), app, model, action) is allowed


@pytest.mark.parametrize("action", ["add", "change", "delete"])
@pytest.mark.parametrize("role", ROLES)
def test_nobody_is_granted_writes_on_audit_events(role, action):
    assert _grants(Role(role), "compliance", "auditevent", action) is False


def _codenames(group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.fixture
def synced_groups(acme):
    """acme's role groups after roles_sync, with a conversations and an agenda model to grant on.

    Those apps have no models yet: give them one each (rolled back after the test).
    """
    with schema_context("acme"):
        for app, model in [("conversations", "conversation"), ("agenda", "appointment")]:
            content_type, _ = ContentType.objects.get_or_create(app_label=app, model=model)
            for action in ("view", "add", "change", "delete"):
                Permission.objects.get_or_create(codename=f"{action}_{model}", content_type=content_type,
                                                 defaults={"name": f"{action} {model}"})
        return {name: _codenames(group) for name, group in roles_sync().items()}


def test_the_viewer_has_only_view_permissions(synced_groups):
    viewer = synced_groups["viewer"]

    assert "accounts.view_user" in viewer and "conversations.view_conversation" in viewer
    assert all(codename.split(".")[1].startswith("view_") for codename in viewer)


def test_the_operator_may_add_and_change_in_the_inbox_and_calendar_and_sees_nothing_else(synced_groups):
    operator = synced_groups["operator"]

    assert {"conversations.add_conversation", "conversations.change_conversation",
            "agenda.add_appointment", "agenda.change_appointment"} <= operator
    assert not {"conversations.delete_conversation", "agenda.delete_appointment"} & operator
    assert {c.split(".", 1)[0] for c in operator} == {"conversations", "agenda"}
    assert not {"conversations.view_channel", "conversations.view_llmconfig", "conversations.view_llmcall",
                "agenda.view_service", "agenda.view_professional", "analytics.view_report",
                "accounts.view_user"} & operator


@pytest.mark.parametrize("role", WRITERS)
def test_manager_and_owner_may_manage_settings_and_only_the_owner_the_staff(synced_groups, role):
    granted = synced_groups[role]
    staff = {"accounts.add_user", "accounts.change_user", "accounts.delete_user"}

    assert {"accounts.view_user", "accounts.manage_settings", "conversations.delete_conversation"} <= granted
    assert (staff & granted) == (staff if role == "owner" else set())


@pytest.mark.parametrize("role", ROLES)
def test_nobody_may_change_audit_events_or_the_role_groups(synced_groups, role):
    granted = synced_groups[role]

    assert ("compliance.view_auditevent" in granted) is (role != "operator")
    assert not {"compliance.add_auditevent", "compliance.change_auditevent",
                "compliance.delete_auditevent"} & granted
    assert not {c for c in granted if c.startswith("auth.")}


def test_roles_sync_is_idempotent(acme, synced_groups):
    with schema_context("acme"):
        again = {name: _codenames(group) for name, group in roles_sync().items()}

    assert again == synced_groups


@pytest.mark.parametrize("role, may_manage", [("owner", True), ("manager", True),
                                              ("operator", False), ("viewer", False)])
def test_the_cast_members_hold_their_role_permissions(acme, role, may_manage):
    with schema_context("acme"):
        user = User.objects.get(email=_email(role, "acme"))
        assert user.has_perm("accounts.view_user") is (role != "operator")
        assert user.has_perm("accounts.add_user") is (role == "owner")
        assert user.has_perm("accounts.manage_settings") is may_manage
        assert not user.has_perm("compliance.change_auditevent")


# --- roles_sync in bulk: the same rows as the per-role version it replaced ----------------


def _roles_sync_one_by_one() -> None:
    """The previous roles_sync, kept as the reference: one get_or_create and one set() per role."""
    from django.contrib.auth.models import Group

    from accounts.roles import _split

    permissions = list(Permission.objects.select_related("content_type"))
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([p for p in permissions
                               if _grants(role, *_split(p.codename, p.content_type.app_label, p.content_type.model))])


def _role_rows() -> set[tuple[str, str, str]]:
    from django.contrib.auth.models import Group

    return {(name, app, codename) for name, app, codename in Group.permissions.through.objects.values_list(
        "group__name", "permission__content_type__app_label", "permission__codename")}


def _disturb() -> None:
    """Groups out of step with the code: one missing, one with a grant too many, one with one too few."""
    from django.contrib.auth.models import Group

    Group.objects.filter(name="viewer").delete()
    Group.objects.get(name="operator").permissions.add(Permission.objects.get(codename="delete_user"))
    Group.objects.get(name="owner").permissions.remove(Permission.objects.get(codename="add_user"))
    content_type, _ = ContentType.objects.get_or_create(app_label="agenda", model="novomodelo")
    Permission.objects.create(codename="view_novomodelo", name="view novomodelo", content_type=content_type)


@pytest.mark.parametrize("disturbed", [False, True], ids=["in-step", "out-of-step"])
def test_roles_sync_in_bulk_leaves_exactly_the_rows_of_the_one_by_one_version(acme, disturbed):
    with schema_context("acme"), transaction.atomic():
        if disturbed:
            _disturb()
        with transaction.atomic():
            _roles_sync_one_by_one()
            expected = _role_rows()
            transaction.set_rollback(True)
        before = _role_rows()
        groups = roles_sync()
        rows = _role_rows()
        transaction.set_rollback(True)

    assert rows == expected
    assert set(groups) == {role.value for role in Role}
    if disturbed:  # the disturbance was real, and undone
        assert before != rows
        assert ("operator", "accounts", "delete_user") not in rows
        assert {("viewer", "agenda", "view_novomodelo"), ("owner", "accounts", "add_user")} <= rows


def test_roles_sync_writes_nothing_when_the_groups_are_in_step(acme, django_assert_max_num_queries):
    with schema_context("acme"):
        roles_sync()
        with django_assert_max_num_queries(3):  # the groups, what they hold, the permissions
            roles_sync()
