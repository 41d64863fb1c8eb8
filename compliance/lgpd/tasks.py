"""Thin tasks of the LGPD rights: ids in, one service call, safe to run twice."""

from celery import shared_task

from compliance.lgpd.models import DataRequest
from compliance.lgpd.retention import retention_run
from compliance.lgpd.selectors import data_request_get
from compliance.lgpd.services import erasure_must_wait, erasure_run, export_build

ERASURE_WAIT_SECONDS = 3
ERASURE_MAX_WAITS = 20  # a minute: past that the confirmation is lost anyway, and the erasure goes ahead


@shared_task(name="compliance.lgpd_export_build", soft_time_limit=120, time_limit=150)
def export_build_task(request_id: int) -> str:
    request = export_build(request_id=request_id)
    return request.status if request else "gone"


@shared_task(name="compliance.lgpd_erasure_run", bind=True, max_retries=ERASURE_MAX_WAITS)
def erasure_run_task(self, request_id: int) -> str:
    """Erase once nothing is left to send to the customer (their confirmation goes first)."""
    request = data_request_get(request_id=request_id)
    if request is None:
        return "gone"
    if (request.status == DataRequest.Status.PENDING and request.contact is not None
            and self.request.retries < ERASURE_MAX_WAITS and erasure_must_wait(contact=request.contact)):
        raise self.retry(countdown=ERASURE_WAIT_SECONDS)
    return erasure_run(request_id=request_id).status


@shared_task(name="compliance.lgpd_retention_run", soft_time_limit=1800, time_limit=1900)
def retention_run_task() -> dict:
    """Nightly, per company (tenants.dispatch_periodic): apply the retention policy."""
    return retention_run()
