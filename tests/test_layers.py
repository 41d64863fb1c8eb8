"""The one-way layers hold (pyproject.toml's import-linter contracts, also run by `make test`),
and celery_app.py, which import-linter cannot take as a root, imports nothing of ours."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"secretaria", "accounts", "tenants", "billing", "conversations", "agenda", "templates",
               "analytics", "compliance", "devstack", "bench"}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_celery_app_imports_nothing_of_ours_anywhere():
    ours = {m for m in imported_modules(ROOT / "celery_app.py") if m.split(".")[0] in FIRST_PARTY}
    assert ours == set()


def test_every_layer_contract_is_kept():
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout
