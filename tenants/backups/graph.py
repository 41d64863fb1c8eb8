"""Which rows of `public` belong to one company, found from Django's model graph.

A company's public rows are the company itself and every row of a shared model (one whose table
lives in `public`) with a foreign-key path to it: its domains, channel routes and audit head here,
and whatever higher floors keep there (billing's subscription, usage, payments...). tenants sits
below billing and may not import it, so the models are read from `django.apps`: a new shared model
pointing at a company is backed up and restored without anyone editing this file.

Each table gets a SQL predicate on its rows (alias `t`), built from its foreign keys: a row belongs to
the company when any of its keys leads there, directly or through a parent that does.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models

from tenants.models import Company


@dataclass(frozen=True)
class PublicTable:
    """One public table holding rows of a company, and how to select them."""

    table: str
    pk: str
    columns: tuple[str, ...]
    predicate: str  # SQL over alias `t`, the company's id inlined (an integer of ours)

    def select(self) -> str:
        cols = ", ".join(f"t.{quote_ident(c)}" for c in self.columns)
        return f"SELECT {cols} FROM public.{quote_ident(self.table)} t WHERE {self.predicate}"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _shared_models() -> list[type[models.Model]]:
    shared = set(settings.SHARED_APPS)
    return [m for m in apps.get_models(include_auto_created=True)
            if m._meta.app_config.name in shared and m._meta.managed and not m._meta.proxy]


def _keys(model: type[models.Model]) -> list[models.ForeignKey]:
    """Concrete foreign keys (one-to-one included) of the model's own table."""
    return [f for f in model._meta.local_fields if isinstance(f, models.ForeignKey)]


def _owned(candidates: list[type[models.Model]]) -> list[type[models.Model]]:
    """The models reachable from Company through foreign keys, Company first."""
    owned = [Company]
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model not in owned and any(f.related_model in owned for f in _keys(model)):
                owned.append(model)
                grew = True
    return owned


def _predicate(model, owned, company_id: int, path: tuple = ()) -> str:
    """SQL over alias `t` (or the alias of this nesting level) selecting the company's rows of `model`."""
    alias = f"t{len(path)}" if path else "t"
    if model is Company:
        return f"{alias}.{quote_ident(Company._meta.pk.column)} = {int(company_id)}"
    terms = []
    for field in _keys(model):
        parent = field.related_model
        if parent not in owned or parent in path or parent is model:
            continue  # not the company's, or a cycle (a self-reference adds no row of its own)
        inner = f"t{len(path) + 1}"
        target = field.target_field.column
        if parent is Company and target == Company._meta.pk.column:
            terms.append(f"{alias}.{quote_ident(field.column)} = {int(company_id)}")
            continue
        sub = _predicate(parent, owned, company_id, (*path, model))
        terms.append(f"{alias}.{quote_ident(field.column)} IN (SELECT {inner}.{quote_ident(target)} FROM public."
                     f"{quote_ident(parent._meta.db_table)} {inner} WHERE {sub})")
    return "(" + " OR ".join(terms) + ")" if terms else "FALSE"


def _parents_first(owned: list[type[models.Model]]) -> list[type[models.Model]]:
    order = graphlib.TopologicalSorter(
        {m: {f.related_model for f in _keys(m) if f.related_model in owned and f.related_model is not m}
         for m in owned})
    try:
        return list(order.static_order())
    except graphlib.CycleError:
        # Two tables pointing at each other: Django's keys are DEFERRABLE INITIALLY DEFERRED, so any
        # order commits; keep the discovery order (Company first).
        return owned


def company_public_tables(*, company_id: int) -> list[PublicTable]:
    """Every public table with rows of the company, parents before children."""
    owned = _owned(_shared_models())
    return [PublicTable(table=m._meta.db_table, pk=m._meta.pk.column,
                        columns=tuple(f.column for f in m._meta.local_concrete_fields),
                        predicate=_predicate(m, owned, company_id))
            for m in _parents_first(owned)]
