"""Beat's entry point for per-company jobs, and the job that runs them in one company (tenants/dispatch.py)."""

from celery import shared_task

from tenants.dispatch import company_jobs_run, periodic_dispatch, retry_pause


@shared_task(name="tenants.dispatch_periodic", ignore_result=True)
def dispatch_periodic_task(cadence: str) -> int:
    """Beat's single entry point for per-company jobs: fan out to every active company."""
    return periodic_dispatch(cadence=cadence)


@shared_task(name="tenants.periodic_run", bind=True, ignore_result=True, max_retries=None)
def periodic_run_task(self, *, cadence: str, period: int, token: str, tasks: list[str], budget: int,
                      concurrency: int, expires_at: float) -> str:
    """One company's run of a cadence (in its schema: the message's header). When every slot of the
    cadence is taken it tries again shortly; the message expires with the period."""
    outcome = company_jobs_run(cadence=cadence, period=period, token=token, tasks=tasks, budget=budget,
                               concurrency=concurrency, expires_at=expires_at)
    if outcome == "full":
        raise self.retry(countdown=retry_pause())
    return outcome
