from celery import shared_task

from tenants.dispatch import periodic_dispatch


@shared_task(name="tenants.dispatch_periodic", ignore_result=True)
def dispatch_periodic_task(cadence: str) -> int:
    """Beat's single entry point for per-company jobs: fan out to every active company."""
    return periodic_dispatch(cadence=cadence)
