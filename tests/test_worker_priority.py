"""The worker yields the CPU to the web server, across sessions too (autogroup scheduling)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "from secretaria.priority import lower_autogroup; lower_autogroup(7); "
    "print(open('/proc/self/autogroup').read().split()[-1])"
)

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/autogroup"), reason="no autogroup scheduling here")


def autogroup_nice_after_lowering(*, own_session: bool) -> str:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            start_new_session=own_session, check=True)
    return result.stdout.strip()


def test_a_worker_leading_its_own_session_lowers_the_sessions_priority():
    assert autogroup_nice_after_lowering(own_session=True) == "7"


def test_a_worker_sharing_its_starters_session_leaves_it_alone():
    assert autogroup_nice_after_lowering(own_session=False) == open("/proc/self/autogroup").read().split()[-1]


def test_the_worker_runs_at_idle_priority_and_at_the_lowest_nice():
    probe = ("import os; from secretaria.priority import worker_yield_cpu; worker_yield_cpu(); "
             "print(os.sched_getscheduler(0) == os.SCHED_IDLE, os.getpriority(os.PRIO_PROCESS, 0))")
    env = {**os.environ, "CELERY_WORKER_NICE": "19", "DJANGO_SETTINGS_MODULE": "secretaria.settings"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env=env, check=True)
    assert result.stdout.split() == ["True", "19"]
