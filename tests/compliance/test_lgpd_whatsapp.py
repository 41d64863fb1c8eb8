"""The customer's LGPD rights over WhatsApp, through the real reply pipeline: access, erasure, opt-out."""

import io
import zipfile

from django.test import Client, TestCase
from django_tenants.utils import schema_context

from agenda.services.reminders import reminder_send
from compliance.lgpd.models import Consent, DataRequest
from compliance.lgpd.services import erasure_must_wait
from compliance.lgpd.tasks import erasure_run_task
from conversations.models import Contact, Conversation, Outbox
from templates.replies.catalogue import slot_get
from tests.agenda.factories import AppointmentFactory, ReminderFactory
from tests.compliance.conftest import redis_hits, schema_hits, turn
from tests.conftest import host_of

# The shipped wording of the self-service's answers (no company here edits them).
ASK_ACCESS, ASK_ERASURE, CANCELLED, ERASING, OPTED_OUT = (
    slot_get(slot).text for slot in ("lgpd_access_ask", "lgpd_erasure_ask", "lgpd_cancelled", "lgpd_erasing",
                                     "lgpd_opted_out"))


def test_quero_meus_dados_asks_first_then_sends_a_link_to_the_number_that_asked(customer, acme):
    assert turn("quero meus dados", phone=customer.phone) == ASK_ACCESS

    reply = turn("sim", phone=customer.phone)

    assert reply.startswith("Pronto! Aqui está a cópia dos seus dados") and "/api/compliance/exports/download/" in reply
    link = reply.split("\n")[-1]
    assert link.startswith(f"https://{host_of(acme)}/")
    response = Client(HTTP_HOST=host_of(acme)).get(link.split(host_of(acme), 1)[1])
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert customer.texts[0].encode() in archive.read("dados.json")
    with schema_context("acme"):
        request = DataRequest.objects.get(kind="access")
        assert (request.channel, request.requested_by, request.status) == ("whatsapp", "cliente via WhatsApp", "done")
        # Answered by the self-service, not handed to the team.
        assert Conversation.objects.filter(contact=customer.contact).latest("id").status == "bot"
        assert Outbox.objects.filter(message__contact=customer.contact).latest("id").message.contact.phone \
            == customer.phone


def test_apaga_meus_dados_confirmed_erases_once_the_confirmation_left_and_oi_starts_afresh(customer):
    assert turn("apaga meus dados", phone=customer.phone) == ASK_ERASURE
    assert turn("sim", phone=customer.phone) == ERASING

    with schema_context("acme"):
        request = DataRequest.objects.get(kind="erasure")
        assert request.status == "pending"
        assert not erasure_must_wait(contact=customer.contact)  # the confirmation was sent (inline)
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert erasure_run_task.run(request.pk) == "done"
        assert schema_hits(customer.needles) == []
    assert redis_hits(customer.needles) == []

    with schema_context("acme"):
        greeting = turn("oi", phone=customer.phone, name="Zu")
        fresh = Contact.objects.get(phone=customer.phone)
        assert fresh.pk != customer.contact.pk and fresh.messages.count() == 2 and greeting


def test_nao_cancels_the_request_and_nothing_is_done(customer):
    turn("pode apagar meus dados?", phone=customer.phone)

    assert turn("não", phone=customer.phone) == CANCELLED
    with schema_context("acme"):
        assert DataRequest.objects.get(kind="erasure").status == "cancelled"
        assert Contact.objects.get(pk=customer.contact.pk).erased_at is None


def test_parar_stops_reminders_until_the_customer_keeps_them(customer):
    with schema_context("acme"):
        visit = AppointmentFactory(contact=customer.contact, status="confirmed")
        first, second = ReminderFactory(appointment=visit, offset_minutes=120), ReminderFactory(appointment=visit)

    assert turn("parar", phone=customer.phone) == OPTED_OUT

    with schema_context("acme"):
        assert reminder_send(reminder_id=first.pk) == "opted_out"
        first.refresh_from_db()
        assert first.state == "cancelled" and first.outbox_id is None
        assert list(Consent.objects.filter(contact=customer.contact).values_list("purpose", "granted")) == [
            ("reminders", False), ("messages", False)]
    assert "lembretes" in turn("quero continuar recebendo lembretes", phone=customer.phone)
    with schema_context("acme"):
        assert reminder_send(reminder_id=second.pk) == "sent"
        assert DataRequest.objects.filter(kind="opt_out", channel="whatsapp").count() == 2
        assert Contact.objects.get(pk=customer.contact.pk).reminders_kept


def test_other_opt_out_words_and_opting_in_again(customer):
    for text in ("não quero mais receber mensagens", "cancelar inscrição", "descadastrar", "sair"):
        assert turn(text, phone=customer.phone) == OPTED_OUT
    assert "voltou a receber" in turn("quero voltar a receber mensagens", phone=customer.phone)
    with schema_context("acme"):
        assert Contact.objects.get(pk=customer.contact.pk).opted_out_at is None


def test_o_que_voces_sabem_sobre_mim_is_an_access_request_and_lgpd_alone_still_goes_to_the_team(customer):
    assert turn("o que vocês sabem sobre mim?", phone=customer.phone) == ASK_ACCESS
    assert turn("esquece meu número", phone=customer.phone) == ASK_ERASURE

    turn("lgpd?", phone=customer.phone)

    with schema_context("acme"):
        conversation = Conversation.objects.filter(contact=customer.contact).latest("id")
        assert (conversation.status, conversation.handoff_reason) == ("handoff", "lgpd_request")
