"""Installing metering: its event handlers and its beat task (called once per process, at start-up)."""

from billing.metering import tasks  # noqa: F401 - registers billing.usage_rollup with Celery
from billing.metering.subscribers import subscribe_all


def metering_install() -> None:
    subscribe_all()
