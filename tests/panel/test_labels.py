"""Every label staff read comes from the models in pt-BR: a new field, model or choice cannot ship
with Django's English fallback ("created at", "Direction") or a raw code ("human_request").

Django makes a label out of the code name when none is given, so the checks ask for labels written
out (a field's `verbose_name`, a model's Meta) and for choice labels that are words, not codes.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.forms.utils import pretty_name

from secretaria.admin_sites import public_admin, tenant_admin

# The project's own apps; Django's and third parties' labels are their translations' business.
OURS = {"accounts", "tenants", "billing", "conversations", "agenda", "templates", "analytics", "compliance"}


def our_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model._meta.app_config.name.split(".")[0] in OURS]


def own_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's columns and many-to-many fields, inherited ones included; not the automatic `id`."""
    if model._meta.proxy:
        return []  # the concrete model's fields, checked there (or a third party's)
    fields = [*model._meta.local_fields, *model._meta.local_many_to_many]
    return [field for field in fields if not field.auto_created]


def code_like(label: str, code: str) -> bool:
    """A label that reads as code: empty, the code itself, or snake_case."""
    return not label.strip() or label == code or "_" in label


def field_problem(field: models.Field) -> str | None:
    """Why the field's label is not one staff should read, or None."""
    label = field.deconstruct()[3].get("verbose_name")
    if label is None:
        return "sem verbose_name"
    if code_like(str(label), field.name) or str(label) == field.name.replace("_", " "):
        return f"rótulo com cara de código: {label!r}"
    return None


def choice_problems(field: models.Field) -> list[str]:
    return [f"{value!r}: {label!r}" for value, label in field.flatchoices
            if code_like(str(label), str(value)) and str(value) != ""]


def model_problems(model: type[models.Model]) -> list[str]:
    problems = [f"Meta.{name} ausente" for name in ("verbose_name", "verbose_name_plural")
                if name not in model._meta.original_attrs]
    problems += [f"Meta.{name} com cara de código: {value!r}" for name in ("verbose_name", "verbose_name_plural")
                 if code_like(str(value := getattr(model._meta, name)), model._meta.model_name)]
    return problems


def test_the_checks_see_the_project_s_models():
    labels = {model._meta.label for model in our_models()}

    assert {"conversations.Message", "agenda.Appointment", "tenants.Company", "accounts.User"} <= labels
    assert len(labels) >= 50


@pytest.mark.parametrize("label", sorted(model._meta.label for model in our_models()))
def test_every_field_of_the_model_has_a_ptbr_label(label):
    model = apps.get_model(label)

    problems = {field.name: field_problem(field) for field in own_fields(model)}

    assert {name: problem for name, problem in problems.items() if problem} == {}


@pytest.mark.parametrize("label", sorted(model._meta.label for model in our_models()))
def test_every_choice_of_the_model_has_a_ptbr_label(label):
    model = apps.get_model(label)

    problems = {field.name: choice_problems(field) for field in own_fields(model) if field.choices}

    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize("label", sorted(model._meta.label for model in our_models()))
def test_every_model_names_itself_in_ptbr(label):
    assert model_problems(apps.get_model(label)) == []


def test_every_app_has_a_ptbr_name():
    configs = {model._meta.app_config for model in our_models()}

    # Django's fallback is the label in title case: the name must be written out on the AppConfig.
    assert {config.label: config.verbose_name for config in configs
            if "verbose_name" not in type(config).__dict__ or code_like(str(config.verbose_name), config.label)} == {}


# --- the admin's lists: columns, filters and actions ----------------------------------------------


def registered() -> list[tuple[str, type[models.Model], admin.ModelAdmin]]:
    return [(site.name, model, model_admin) for site in (tenant_admin, public_admin)
            for model, model_admin in site._registry.items()]


def column_problem(model, model_admin, name: str) -> str | None:
    """A list column whose header would be Django's fallback (the attribute's name, "Role") or a code.

    A field's header is its label (checked above, and an untranslated third party's is caught here: auditlog's
    "timestamp"); any other column needs a description of its own (`@admin.display(description=...)`).
    """
    if name in ("__str__", "action_checkbox"):
        return None
    label = str(label_for_field(name, model, model_admin))
    try:
        model._meta.get_field(name)
        fallback = label in (name, name.replace("_", " "), pretty_name(name))
    except FieldDoesNotExist:
        fallback = not _described(model, model_admin, name)
    return f"coluna {name!r}: {label!r}" if fallback or code_like(label, "") else None


def _described(model, model_admin, name: str) -> bool:
    for owner in (model_admin, model):
        attr = getattr(owner, name, None)
        if attr is not None:
            return hasattr(attr.fget if isinstance(attr, property) else attr, "short_description")
    return False


def filter_title(model, spec) -> str:
    if isinstance(spec, str):
        return str(model._meta.get_field(spec.split("__")[0]).verbose_name)
    if isinstance(spec, tuple):
        return str(model._meta.get_field(spec[0].split("__")[0]).verbose_name)
    return str(spec.title)


def admin_problems(model, model_admin) -> list[str]:
    problems = [p for name in model_admin.list_display if (p := column_problem(model, model_admin, name))]
    for spec in model_admin.list_filter:
        title = filter_title(model, spec)
        name = spec if isinstance(spec, str) else ""  # a filter class's parameter is only its URL's
        if code_like(title, name) or title == name.replace("_", " "):
            problems.append(f"filtro {spec!r}: {title!r}")
    for action in model_admin.actions or ():
        description = str(getattr(getattr(model_admin, action, None) or action, "short_description", ""))
        if code_like(description, str(action)):
            problems.append(f"ação {action!r}: {description!r}")
    return problems


def test_the_admin_lists_of_both_sites_are_walked():
    assert len(registered()) >= 40


@pytest.mark.parametrize(("site", "model", "model_admin"), registered(),
                         ids=[f"{site}:{model._meta.label}" for site, model, _ in registered()])
def test_every_admin_list_has_ptbr_headers_filters_and_actions(site, model, model_admin):
    assert admin_problems(model, model_admin) == []


# --- the checks themselves catch what they are for ------------------------------------------------


def _unbound(field: models.Field, name: str) -> models.Field:
    field.set_attributes_from_name(name)
    return field


def test_a_field_without_a_label_is_caught():
    assert field_problem(_unbound(models.DateTimeField(), "created_at")) == "sem verbose_name"
    assert field_problem(_unbound(models.CharField("status", max_length=8), "status")).startswith("rótulo")
    assert field_problem(_unbound(models.CharField("situação", max_length=8), "status")) is None


def test_a_column_named_after_its_attribute_is_caught():
    from accounts.models import User

    class Plain(admin.ModelAdmin):
        list_display = ["email", "role"]

        @admin.display(description="papel")
        def role_label(self, user):
            return user.role

    assert column_problem(User, Plain(User, tenant_admin), "role") == "coluna 'role': 'Role'"
    assert column_problem(User, Plain(User, tenant_admin), "email") is None
    assert column_problem(User, Plain(User, tenant_admin), "role_label") is None


def test_a_choice_labelled_with_its_code_is_caught():
    field = models.CharField(max_length=20, choices=[("human_request", "human_request"), ("bot", "Com o assistente"),
                                                     ("closed", "closed")])

    assert choice_problems(field) == ["'human_request': 'human_request'", "'closed': 'closed'"]
