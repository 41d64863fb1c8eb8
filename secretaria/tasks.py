"""The platform's own periodic tasks (beat runs them directly: they are not per company)."""

from celery import shared_task

from secretaria.observability.queues import queue_size_sample


@shared_task(name="secretaria.queue_size_sample", ignore_result=True)
def queue_size_sample_task() -> dict[str, int]:
    """Set secretaria_queue_size for each sampled queue; a broker hiccup skips one sample."""
    return queue_size_sample()
