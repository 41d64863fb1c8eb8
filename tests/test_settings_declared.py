"""Every setting the code reads is declared in secretaria/settings.py, with its default there and
nowhere else: no `getattr(settings, NAME, default)` with a second default that can drift."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
APPS = ["secretaria", "accounts", "tenants", "billing", "conversations", "agenda", "templates", "analytics",
        "compliance", "devstack"]


def source_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def settings_reads(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "settings" \
                and node.attr.isupper():
            yield node.attr, node.lineno


def test_no_setting_is_read_with_a_default_of_its_own():
    found = [f"{path.relative_to(ROOT)}:{node.lineno}" for path in source_files()
             for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
             and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "settings"]
    assert found == []


def test_every_setting_read_is_declared():
    missing = {f"{name} ({path.relative_to(ROOT)}:{line})" for path in source_files()
               for name, line in settings_reads(ast.parse(path.read_text())) if not hasattr(settings, name)}
    assert missing == set()
