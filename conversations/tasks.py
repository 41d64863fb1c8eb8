"""Thin tasks: ids in, a service call, retries only on the provider's transient errors."""

from celery import shared_task

from conversations.channels.base import TransientChannelError
from conversations.core.handoff import handoff_callbacks_offer
from conversations.core.outbox import SEND_RETRY_BACKOFF_MAX, outbox_give_up, outbox_send
from conversations.core.pipeline import conversation_answer_due, pipeline_sweep
from conversations.core.sessions import conversations_close_stale
from secretaria.observability.metrics import OUTBOX_RETRIES


@shared_task(name="conversations.reply")
def conversation_reply_task(contact_id: int) -> str:
    return conversation_answer_due(contact_id=contact_id).status


@shared_task(
    bind=True, name="conversations.outbox_send", autoretry_for=(TransientChannelError,),
    retry_backoff=2, retry_backoff_max=SEND_RETRY_BACKOFF_MAX, retry_jitter=True, max_retries=8,
)
def outbox_send_task(self, outbox_id: int) -> str:
    try:
        return str(outbox_send(outbox_id=outbox_id))
    except TransientChannelError as exc:
        if self.request.retries >= self.max_retries:
            outbox_give_up(outbox_id=outbox_id, reason=f"retries exhausted: {exc}")
            return "failed"
        OUTBOX_RETRIES.inc()
        raise


@shared_task(name="conversations.sweep")
def pipeline_sweep_task() -> int:
    """Every minute, per company: nothing received is left unanswered."""
    return pipeline_sweep()


@shared_task(name="conversations.close_stale")
def conversations_close_stale_task() -> int:
    return conversations_close_stale()


@shared_task(name="conversations.handoff_callbacks", ignore_result=True)
def handoff_callbacks_task() -> int:
    """Offer a callback to customers a person has not answered in time (once per handoff)."""
    return handoff_callbacks_offer()
