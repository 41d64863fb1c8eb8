"""Handoff follow-up, run every minute per company by the periodic dispatcher.

Kept apart from tasks.py so it can be wired into the beat list on its own; the worker
must import this module (Celery autodiscovers only `tasks.py`).
"""

from celery import shared_task

from conversations.services.handoff import handoff_callbacks_offer


@shared_task(name="conversations.handoff_callbacks", ignore_result=True)
def handoff_callbacks_task() -> int:
    """Offer a callback to customers a person has not answered in time (once per handoff)."""
    return handoff_callbacks_offer()
