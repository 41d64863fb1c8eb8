"""The Grafana dashboards: valid PromQL (promtool parses every query), metrics that exist, and a
`company` variable that every per-company panel follows."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

from devstack.tools import PROMTOOL, tool_path
from secretaria.observability.metrics import COMPANY_LABELLED
from tests.observability.helpers import ROOT, undeclared

DASHBOARDS = sorted((ROOT / "deploy/grafana/dashboards").glob("*.json"))
EXTERNAL_METRICS = {"secretaria_backup_last_success_timestamp_seconds"}  # the backup job's
# Grafana's variables, replaced by what Prometheus would receive.
VARIABLES = {"$__rate_interval": "1m", "$__range": "1h", "$company": ".*"}
SUFFIX = re.compile(r"_(bucket|count|sum)$")


def _panels() -> list[tuple[str, dict]]:
    return [(path.name, panel) for path in DASHBOARDS for panel in json.loads(path.read_text())["panels"]
            if panel.get("targets")]


def _exprs() -> list[tuple[str, str, str]]:
    return [(name, panel["title"], target["expr"]) for name, panel in _panels() for target in panel["targets"]]


def test_there_is_an_overview_and_a_promises_dashboard():
    assert {path.name for path in DASHBOARDS} >= {"secretaria.json", "secretaria-promises.json"}
    assert len({json.loads(path.read_text())["uid"] for path in DASHBOARDS}) == len(DASHBOARDS)


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_every_dashboard_has_a_company_variable(path):
    variables = {v["name"]: v for v in json.loads(path.read_text())["templating"]["list"]}
    assert "company" in variables["company"]["query"]
    assert variables["company"]["includeAll"] and variables["company"]["multi"]


def test_every_query_is_valid_promql(tmp_path):
    promtool = tool_path(PROMTOOL)
    if promtool is None:
        pytest.fail("promtool not found: run the suite with `make test` or set PROMTOOL_PATH")
    rules = []
    for n, (_name, _title, expr) in enumerate(_exprs()):
        for variable, value in VARIABLES.items():
            expr = expr.replace(variable, value)
        rules.append({"record": f"dashboard:query_{n}", "expr": expr})
    path = tmp_path / "queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_secretaria_metric_a_panel_reads_is_declared():
    read = {name for _n, _t, expr in _exprs() for name in re.findall(r"\bsecretaria_\w+", expr)}
    assert "secretaria_quota_usage_ratio" in read
    assert undeclared(read, external=EXTERNAL_METRICS) == set()


def test_a_panel_on_a_company_labelled_metric_follows_the_company_variable():
    labelled = {name.removesuffix("_total") for name in COMPANY_LABELLED}
    for name, title, expr in _exprs():
        metrics = {SUFFIX.sub("", m).removesuffix("_total") for m in re.findall(r"\bsecretaria_\w+", expr)}
        if metrics & labelled and "(fleet)" not in title:
            assert "$company" in expr, (name, title)
