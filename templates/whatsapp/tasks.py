"""Thin tasks. Beat's daily cadence sends `templates.whatsapp_templates_sync` to every company (in its
schema, TENANT_PERIODIC_TASKS), which queues one sync per Meta channel; the admin's "sincronizar agora"
and a status update about a template we did not know queue that sync too. A sync is safe to run twice:
it upserts by (channel, name, language)."""

from celery import shared_task

from conversations.channels.base import TransientChannelError
from conversations.channels.selectors import channel_by_id
from templates.whatsapp.services import SYNC_TASK, whatsapp_templates_sync, whatsapp_templates_sync_all


# Meta's rate limit (#130429) lifts within minutes: retry after ~1, 2, 4, 8, 16 minutes (jittered), each
# attempt recorded; the last one is recorded as failed, and the next day's run tries again.
@shared_task(bind=True, name=SYNC_TASK, autoretry_for=(TransientChannelError,), retry_backoff=60,
             retry_backoff_max=1800, retry_jitter=True, max_retries=5, soft_time_limit=120, time_limit=150)
def whatsapp_template_sync_task(self, channel_id: int) -> str:
    channel = channel_by_id(channel_id)
    if channel is None or channel.kind != "meta" or not channel.value("waba_id"):
        return "gone"
    return whatsapp_templates_sync(channel=channel, final=self.request.retries >= self.max_retries).outcome


@shared_task(name="templates.whatsapp_templates_sync", ignore_result=True)
def whatsapp_templates_sync_all_task() -> int:
    return whatsapp_templates_sync_all()
