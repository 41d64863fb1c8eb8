"""The dead-letter queue: listed for every member but operators, reprocessed by managers and up, once fixed."""

import copy
import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from compliance.models import AuditEvent
from conversations.channels.services import channel_configure
from conversations.core import dead_letters
from conversations.core.dead_letters import dead_letter_reprocess
from conversations.core.ingest import dead_letter_record
from conversations.core.outbox import outbox_give_up, outbox_send, reply_create
from conversations.core.sessions import conversation_current
from conversations.models import DeadLetter, Message, Outbox
from tests.conversations import meta_payloads, whaticket_payloads
from tests.conversations.conftest import META_PHONE_ID
from tests.conversations.factories import ContactFactory, MessageFactory

BAD_SANDBOX = {"from": "não-é-telefone", "text": "Quero marcar", "id": "sbx-poison-1"}


@pytest.fixture
def in_acme(acme):
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        yield acme


@pytest.fixture
def scheduled(monkeypatch):
    """Contacts the reprocess schedules for the pipeline (on commit), instead of a real broker."""
    calls: list[set] = []
    monkeypatch.setattr(dead_letters, "pipeline_schedule",
                        lambda contact_ids, delay=None: calls.append(set(contact_ids)))
    return calls


@pytest.fixture
def sends(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(dead_letters, "_enqueue_send", calls.append)
    return calls


def reprocess(row: DeadLetter, capture) -> str:
    with capture(execute=True):
        return dead_letter_reprocess(dead_letter=row)


def fresh(row: DeadLetter) -> DeadLetter:
    return DeadLetter.objects.get(pk=row.pk)


# --- webhooks: sandbox, whaticket, meta ---------------------------------------------------

def test_a_sandbox_payload_fixed_after_the_fact_is_stored_and_answered(
        in_acme, scheduled, django_capture_on_commit_callbacks):
    row = dead_letter_record(source="webhook:sandbox", reason="'from' inválido", payload=dict(BAD_SANDBOX))
    DeadLetter.objects.filter(pk=row.pk).update(payload={**BAD_SANDBOX, "from": "5511912345678"})

    assert reprocess(row, django_capture_on_commit_callbacks) == "stored"

    message = Message.objects.get(provider="sandbox", provider_message_id="sbx-poison-1")
    assert (message.text, message.state, message.contact.phone) == ("Quero marcar", "received", "5511912345678")
    assert scheduled == [{message.contact_id}]
    row = fresh(row)
    assert (row.reprocess_count, row.message_id) == (1, message.pk) and row.reprocessed_at is not None


def test_reprocessing_twice_stores_the_message_once(in_acme, scheduled, django_capture_on_commit_callbacks):
    row = dead_letter_record(source="webhook:sandbox", reason="x", payload={"from": "5511912345678", "text": "oi"})

    assert reprocess(row, django_capture_on_commit_callbacks) == "stored"
    assert reprocess(row, django_capture_on_commit_callbacks) == "duplicate"

    assert Message.objects.filter(direction="in").count() == 1
    assert fresh(row).reprocess_count == 2


def test_a_payload_that_still_fails_raises_and_the_row_stays_as_it_was(in_acme, scheduled):
    row = dead_letter_record(source="webhook:sandbox", reason="'from' inválido", payload=dict(BAD_SANDBOX))

    with pytest.raises(ValidationError, match="ainda não pode ser processado"):
        dead_letter_reprocess(dead_letter=row)

    row = fresh(row)
    assert (row.reprocess_count, row.reprocessed_at, row.payload) == (0, None, BAD_SANDBOX)
    assert not Message.objects.exists() and scheduled == []


def test_a_whaticket_payload_is_stored_once_fixed(in_acme, scheduled, django_capture_on_commit_callbacks):
    broken = copy.deepcopy(whaticket_payloads.TEXT)
    del broken["key"]["id"]
    row = dead_letter_record(source="webhook:whaticket", reason="`key.id` is missing", payload=broken)
    with pytest.raises(ValidationError):
        dead_letter_reprocess(dead_letter=row)

    DeadLetter.objects.filter(pk=row.pk).update(payload=whaticket_payloads.TEXT)

    assert reprocess(row, django_capture_on_commit_callbacks) == "stored"
    assert Message.objects.get(provider="whaticket").text == "Quero marcar uma consulta amanhã"


def _meta_item(**changes) -> dict:
    """What the Meta webhook dead-letters for one rejected message."""
    item = copy.deepcopy(meta_payloads.TEXT["entry"][0]["changes"][0]["value"]["messages"][0])
    item.update(changes)
    return {"kind": "message", "path": "entry[0].changes[0].value.messages[0]", "reason": "message without an id",
            "channel_account": META_PHONE_ID, "item": item}


def test_a_rejected_meta_message_is_stored_once_fixed(in_acme, scheduled, django_capture_on_commit_callbacks):
    rejected = _meta_item()
    del rejected["item"]["id"]
    row = dead_letter_record(source="webhook:meta", reason=rejected["reason"], payload=rejected)
    with pytest.raises(ValidationError, match="without an id"):
        dead_letter_reprocess(dead_letter=row)

    DeadLetter.objects.filter(pk=row.pk).update(payload=_meta_item(id="wamid.consertado"))

    assert reprocess(row, django_capture_on_commit_callbacks) == "stored"
    message = Message.objects.get(provider="meta", provider_message_id="wamid.consertado")
    assert message.text == "Does it come in another color?"


# --- sends and replies ----------------------------------------------------------------------

def failed_reply() -> Outbox:
    contact = ContactFactory()
    outbox = reply_create(contact=contact, conversation=conversation_current(contact=contact), text="Olá!",
                          idempotency_key=f"teste:{random.random()}")
    outbox_give_up(outbox_id=outbox.pk, reason="retries exhausted: 503")
    return outbox


def test_a_failed_send_goes_back_to_the_outbox_and_is_sent(in_acme, sends, django_capture_on_commit_callbacks):
    outbox = failed_reply()
    row = DeadLetter.objects.get(source="send")

    assert reprocess(row, django_capture_on_commit_callbacks) == "requeued"
    assert sends == [outbox.pk]
    assert Outbox.objects.get(pk=outbox.pk).state == "pending"
    assert outbox_send(outbox_id=outbox.pk) == "sent"
    assert reprocess(row, django_capture_on_commit_callbacks) == "already_sent"
    assert sends == [outbox.pk]


def test_a_send_whose_outbox_is_gone_cannot_be_reprocessed(in_acme):
    row = dead_letter_record(source="send", reason="x", payload={"outbox_id": 10**9})

    with pytest.raises(ValidationError, match="não existe mais"):
        dead_letter_reprocess(dead_letter=row)


def test_messages_the_pipeline_gave_up_on_are_answered_again(in_acme, scheduled, django_capture_on_commit_callbacks):
    contact = ContactFactory()
    stuck = MessageFactory(contact=contact, text="oi", state="dead")
    row = dead_letter_record(source="reply", reason="LLM fora do ar", payload={"message_ids": [stuck.pk]},
                             message=stuck)

    assert reprocess(row, django_capture_on_commit_callbacks) == "requeued"
    assert Message.objects.get(pk=stuck.pk).state == "received"
    assert scheduled == [{contact.pk}]


def test_an_unknown_source_cannot_be_reprocessed(in_acme):
    row = dead_letter_record(source="misterio", reason="x", payload={})

    with pytest.raises(ValidationError, match="Não sei reprocessar"):
        dead_letter_reprocess(dead_letter=row)


# --- API -----------------------------------------------------------------------------------

def test_every_member_sees_the_queue_newest_first(in_acme, api):
    older = dead_letter_record(source="webhook:sandbox", reason="a", payload={})
    newer = dead_letter_record(source="send", reason="b", payload={"outbox_id": 1})
    DeadLetter.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=1))

    response = api(in_acme, "viewer").get("/api/dead-letters")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [newer.pk, older.pk]


def test_the_queue_filters_pending_rows_and_by_source(in_acme, api):
    pending = dead_letter_record(source="webhook:sandbox", reason="a", payload={})
    done = dead_letter_record(source="webhook:sandbox", reason="b", payload={})
    DeadLetter.objects.filter(pk=done.pk).update(reprocessed_at=timezone.now())
    client = api(in_acme, "viewer")

    assert [r["id"] for r in client.get("/api/dead-letters?pending=true").json()["results"]] == [pending.pk]
    assert [r["id"] for r in client.get("/api/dead-letters?pending=false").json()["results"]] == [done.pk]
    assert client.get("/api/dead-letters?source=send").json()["count"] == 0
    assert client.get("/api/dead-letters?pending=talvez").status_code == 400


def test_a_manager_reprocesses_through_the_api_and_it_is_audited(in_acme, api, scheduled,
                                                                  django_capture_on_commit_callbacks):
    row = dead_letter_record(source="webhook:sandbox", reason="x", payload={"from": "5511912345678", "text": "oi"})

    with django_capture_on_commit_callbacks(execute=True):  # the audit trail hears it once committed
        response = api(in_acme, "manager").post(f"/api/dead-letters/{row.pk}/reprocess")

    assert response.status_code == 200, response.json()
    assert response.json()["outcome"] == "stored" and response.json()["dead_letter"]["reprocess_count"] == 1
    with schema_context("acme"):
        event = AuditEvent.objects.get(action="dead_letter.reprocessed")
        assert (event.actor, event.target) == ("manager@acme.test", str(row.pk))


def test_a_still_bad_payload_is_a_400_in_portuguese_and_the_row_stays(in_acme, api):
    row = dead_letter_record(source="webhook:sandbox", reason="x", payload=dict(BAD_SANDBOX))

    response = api(in_acme, "manager").post(f"/api/dead-letters/{row.pk}/reprocess")

    assert response.status_code == 400
    assert "ainda não pode ser processado" in response.json()["non_field_errors"][0]
    with schema_context("acme"):
        assert fresh(row).reprocess_count == 0


def test_a_viewer_cannot_reprocess(in_acme, api):
    row = dead_letter_record(source="webhook:sandbox", reason="x", payload={"from": "5511912345678", "text": "oi"})

    response = api(in_acme, "viewer").post(f"/api/dead-letters/{row.pk}/reprocess")

    assert response.status_code == 403
    with schema_context("acme"):
        assert fresh(row).reprocess_count == 0 and not Message.objects.exists()


@pytest.mark.parametrize("method, tail", [("get", ""), ("post", "/reprocess")])
def test_acmes_dead_letter_is_not_found_on_globex(in_acme, globex, api, method, tail):
    row = DeadLetter.objects.create(id=10**9 + random.randrange(10**6), source="webhook:sandbox", reason="x",
                                    payload={"from": "5511912345678", "text": "oi"})

    response = getattr(api(globex, "owner"), method)(f"/api/dead-letters/{row.pk}{tail}")

    assert response.status_code == 404
    with schema_context("acme"):
        assert fresh(row).reprocess_count == 0
