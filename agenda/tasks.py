"""Thin tasks: ids in, one service call. Beat sends the scans per company (tenants.periodic_dispatch);
the scans enqueue the sends. Every task is safe to run twice (the services claim rows with a
compare-and-set and send through the outbox)."""

from celery import shared_task

from agenda.services.followups import followup_send, followups_due_enqueue
from agenda.services.insights import scheduling_ai_run
from agenda.services.noshows import noshows_detect
from agenda.services.reminders import reminder_send, reminders_due_enqueue
from agenda.services.waitlist import waitlist_expire


@shared_task(name="agenda.reminders_due")
def reminders_due_task() -> int:
    return reminders_due_enqueue()


@shared_task(name="agenda.reminder_send")
def reminder_send_task(reminder_id: int) -> str:
    return reminder_send(reminder_id=reminder_id)


@shared_task(name="agenda.followups_due")
def followups_due_task() -> int:
    return followups_due_enqueue()


@shared_task(name="agenda.followup_send")
def followup_send_task(followup_id: int) -> str:
    return followup_send(followup_id=followup_id)


@shared_task(name="agenda.noshows_detect")
def noshows_detect_task() -> int:
    return noshows_detect()


@shared_task(name="agenda.scheduling_ai", soft_time_limit=600, time_limit=660)
def scheduling_ai_task() -> int:
    return scheduling_ai_run().pk


@shared_task(name="agenda.waitlist_expire")
def waitlist_expire_task() -> int:
    return waitlist_expire()
