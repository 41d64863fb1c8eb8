"""The worker yields the CPU to the web server, across sessions too (autogroup scheduling)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Prints what /proc/self/autogroup says before and after; the file reads empty when the
# process sits in a cgroup of its own (a container, a CI runner), where autogroups do not apply.
PROBE = (
    "import json; from secretaria.priority import lower_autogroup\n"
    "def read():\n"
    "    with open('/proc/self/autogroup') as f: return f.read().strip()\n"
    "before = read(); lower_autogroup(7); print(json.dumps([before, read()]))"
)

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/autogroup"), reason="no autogroup scheduling here")


def autogroup_before_and_after_lowering(*, own_session: bool) -> list[str]:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            start_new_session=own_session, check=True)
    return json.loads(result.stdout)


def test_a_worker_leading_its_own_session_lowers_the_sessions_priority():
    _before, after = autogroup_before_and_after_lowering(own_session=True)
    if not after:
        pytest.skip("this process is in a cgroup, not an autogroup: nothing to lower")
    assert after.split()[-1] == "7"


def test_a_worker_sharing_its_starters_session_leaves_it_alone():
    before, after = autogroup_before_and_after_lowering(own_session=False)
    assert after == before


def test_the_worker_runs_at_idle_priority_and_at_the_lowest_nice():
    probe = ("import os; from secretaria.priority import worker_yield_cpu; worker_yield_cpu(); "
             "print(os.sched_getscheduler(0) == os.SCHED_IDLE, os.getpriority(os.PRIO_PROCESS, 0))")
    env = {**os.environ, "CELERY_WORKER_NICE": "19", "DJANGO_SETTINGS_MODULE": "secretaria.settings"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env=env, check=True)
    assert result.stdout.split() == ["True", "19"]


@pytest.mark.parametrize(("argv", "worker"), [
    (["/venv/bin/celery", "-A", "celery_app", "worker", "-c", "2"], True),
    (["/venv/lib/python3.11/site-packages/celery/__main__.py", "-A", "celery_app", "worker"], True),
    (["/venv/bin/celery", "-A", "celery_app", "beat"], False),
    (["/venv/bin/gunicorn", "secretaria.wsgi:application"], False),
    (["manage.py", "shell"], False),
])
def test_a_worker_is_told_apart_from_beat_the_web_and_a_shell(monkeypatch, argv, worker):
    from secretaria import priority

    monkeypatch.setattr(priority.sys, "argv", argv)
    assert priority.is_celery_worker() is worker
