"""The alert rules, their promtool unit tests and their routing, checked by the real tools.

promtool (Debian's `prometheus`) and amtool (`prometheus-alertmanager`) are installed by `make test`
when missing (devstack/tools.py), which passes their paths as PROMTOOL_PATH and AMTOOL_PATH; a run
without them fails rather than skips, since a skipped check proves nothing.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from devstack.tools import AMTOOL, PROMTOOL, tool_path
from tests.observability.helpers import declared_metrics, undeclared

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy/prometheus/alerts.yml"
RULE_TESTS = sorted((ROOT / "deploy/prometheus/tests").glob("*.yml"))
ALERTMANAGER = ROOT / "deploy/alertmanager/alertmanager.yml"
# Written by the backup job (make backup, the nightly compose service), not declared with the others.
EXTERNAL_METRICS = {"secretaria_backup_last_success_timestamp_seconds"}
REFERENCED = re.compile(r"\bsecretaria_\w+")


def _tool(tool) -> str:
    path = tool_path(tool)
    if path is None:
        pytest.fail(f"{tool.commands[0]} not found: run the suite with `make test` (it installs Debian's "
                    f"{tool.package}) or set {tool.env_var}")
    return path


def _run(*command) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def _rules() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _alerts() -> dict[str, dict]:
    return {rule["alert"]: rule for rule in _rules() if "alert" in rule}


def test_the_rules_pass_promtools_check():
    result = _run(_tool(PROMTOOL), "check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rules_unit_tests_pass():
    assert RULE_TESTS, "deploy/prometheus/tests/*.yml is empty"
    result = _run(_tool(PROMTOOL), "test", "rules", *map(str, RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_unit_test_that_sees_it_fire():
    fired = {
        case["alertname"]
        for path in RULE_TESTS
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert set(_alerts()) - fired == set()


def test_every_unit_test_file_loads_the_real_rules():
    for path in RULE_TESTS:
        assert yaml.safe_load(path.read_text())["rule_files"] == ["../alerts.yml"], path.name


def test_every_alert_has_a_severity_a_summary_and_a_runbook_entry():
    runbook = (ROOT / "docs/alerts.md").read_text()
    for name, rule in _alerts().items():
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, name
        assert rule["annotations"]["summary"], name
        assert f"### {name}" in runbook, f"docs/alerts.md has no section for {name}"


def test_every_secretaria_metric_a_rule_reads_is_declared_in_the_code():
    assert "secretaria_queue_size" in declared_metrics()  # the scan itself works
    referenced = {name for rule in _rules() for name in REFERENCED.findall(rule["expr"])}
    assert undeclared(referenced, external=EXTERNAL_METRICS) == set()


def test_the_alertmanager_configuration_is_valid():
    result = _run(_tool(AMTOOL), "check-config", str(ALERTMANAGER))
    assert result.returncode == 0, result.stdout + result.stderr


def _receiver(**labels) -> str:
    result = _run(_tool(AMTOOL), "config", "routes", "test", "--config.file", str(ALERTMANAGER),
                  *(f"{key}={value}" for key, value in labels.items()))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("severity", ["warning", "critical"])
def test_an_alert_about_one_company_goes_to_the_company_receiver(severity):
    assert _receiver(alertname="SecretariaCompanyDeadLetters", company="acme", severity=severity) == "company"


@pytest.mark.parametrize("labels", [
    {"alertname": "SecretariaAppDown", "severity": "critical"},
    {"alertname": "SecretariaQueueBacklog", "severity": "warning", "queue": "celery"},
    {"alertname": "SecretariaWebhooksRejected", "severity": "critical", "company": "public"},
])
def test_an_alert_about_the_platform_goes_to_the_default_receiver(labels):
    assert _receiver(**labels) == "default"


def test_the_alerts_that_name_a_company_keep_the_label_in_their_expression():
    """Routing reads the `company` label: an expression that aggregates it away cannot be routed."""
    for name, rule in _alerts().items():
        mentions_company = "$labels.company" in rule["annotations"]["summary"]
        if mentions_company:
            assert re.search(r"by \([^)]*\bcompany\b", rule["expr"]), name
