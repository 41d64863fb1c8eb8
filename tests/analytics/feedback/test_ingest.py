"""POST /api/feedback/ingest: another system sends a customer's score with the company's integration key.
The same external id again is the stored record (200), with other content a 409; bad input is a pt-BR 400,
a missing, wrong or revoked key a 401, and nothing is stored for any of them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import Appointment
from analytics.feedback.models import Feedback, FeedbackKey
from analytics.feedback.services import feedback_key_revoke
from tests.agenda.factories import AppointmentFactory, ProfessionalFactory, ServiceFactory
from tests.analytics.feedback.conftest import INGEST, caller, review
from tests.conversations.factories import ContactFactory

SP = ZoneInfo("America/Sao_Paulo")


def stored() -> list[Feedback]:
    with schema_context("acme"):
        return list(Feedback.objects.order_by("id"))


def test_a_crm_sends_a_score_with_its_key_and_gets_the_record(acme, crm, paula):
    response = crm.ingest(**review(timestamp="2026-03-02T18:30:00-03:00"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("external_id", "contact_id", "score", "comment", "source", "timestamp",
                                 "appointment_id", "professional_id", "service_id", "handoff_conversation_id")} == {
        "external_id": "google-1", "contact_id": paula.pk, "score": 10, "comment": "Atendimento ótimo.",
        "source": "google", "timestamp": "2026-03-02T18:30:00-03:00", "appointment_id": None,
        "professional_id": None, "service_id": None, "handoff_conversation_id": None}
    [row] = stored()
    assert (row.pk, row.key_id, row.sent_by, row.given_at) == (body["id"], crm.key_id, "",
                                                               datetime(2026, 3, 2, 18, 30, tzinfo=SP))
    with schema_context("acme"):
        assert FeedbackKey.objects.get(pk=crm.key_id).last_used_at is not None


def test_a_timestamp_without_an_offset_is_the_companys_local_time_and_none_is_now(acme, crm, paula, time_machine):
    time_machine.move_to(datetime(2026, 3, 4, 12, 0, tzinfo=SP), tick=False)

    local = crm.ingest(**review(external_id="a", timestamp="2026-03-02T09:15:00"))
    now = crm.ingest(**review(external_id="b"))

    assert local.json()["timestamp"] == "2026-03-02T09:15:00-03:00"
    assert now.json()["timestamp"] == "2026-03-04T12:00:00-03:00"


@pytest.mark.parametrize("phone", ["5511988887777", "+55 11 98888-7777", "(11) 98888-7777", "11988887777",
                                   "+55 11 8888-7777"])
def test_the_phone_is_matched_however_the_other_system_writes_it(acme, crm, paula, phone):
    response = crm.ingest(**review(contact_phone=phone))

    assert response.status_code == 201, response.content
    assert response.json()["contact_id"] == paula.pk


def test_a_staff_member_with_write_rights_may_send_one_with_their_token(acme, api, paula):
    response = api(acme, "manager").post(INGEST, review(), format="json")

    assert response.status_code == 201, response.content
    assert stored()[0].sent_by == "manager@acme.test" and stored()[0].key_id is None


def test_an_operator_may_not(acme, api, paula):
    response = api(acme, "operator").post(INGEST, review(), format="json")

    assert response.status_code == 403
    assert stored() == []


def test_the_appointment_names_the_professional_and_the_service(acme, crm, paula):
    with schema_context("acme"):
        visit = AppointmentFactory(contact=paula, status=Appointment.Status.ATTENDED)

    response = crm.ingest(**review(appointment_id=visit.pk, contact_phone="", contact_id=None))

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["contact_id"], body["professional_id"], body["service_id"]) == (
        paula.pk, visit.professional_id, visit.service_id)


def test_a_score_may_name_a_professional_and_a_service_without_an_appointment(acme, crm, paula):
    with schema_context("acme"):
        ana, cleaning = ProfessionalFactory(), ServiceFactory()

    response = crm.ingest(**review(professional_id=ana.pk, service_id=cleaning.pk))

    assert (response.json()["professional_id"], response.json()["service_id"]) == (ana.pk, cleaning.pk)


# --- idempotency ---------------------------------------------------------------------------------------

def test_the_same_external_id_again_returns_the_stored_record_not_a_second_one(acme, crm, paula):
    first = crm.ingest(**review(timestamp="2026-03-02T18:30:00-03:00"))
    again = crm.ingest(**review(timestamp="2026-03-02T21:30:00Z"))  # the same instant, written otherwise
    by_id = crm.ingest(**review(contact_phone="", contact_id=paula.pk))  # the same contact, named by id

    assert (first.status_code, again.status_code, by_id.status_code) == (201, 200, 200)
    assert again.json() == first.json() == by_id.json()
    assert len(stored()) == 1


@pytest.mark.parametrize("change, field", [
    ({"score": 9}, "score"),
    ({"comment": "Outro texto."}, "comment"),
    ({"source": "pesquisa"}, "source"),
    ({"timestamp": "2026-03-01T10:00:00-03:00"}, "timestamp"),
])
def test_the_same_external_id_with_other_content_is_a_409(acme, crm, paula, change, field):
    crm.ingest(**review(timestamp="2026-03-02T18:30:00-03:00"))

    response = crm.ingest(**review(**{"timestamp": "2026-03-02T18:30:00-03:00", **change}))

    assert response.status_code == 409
    assert response.json() == {"external_id": [
        f"Uma avaliação com este external_id já foi recebida com outro conteúdo ({field}). "
        "Use um external_id novo para uma nova avaliação."]}
    assert len(stored()) == 1 and stored()[0].score == 10


def test_the_same_external_id_for_another_contact_is_a_409(acme, crm, paula):
    with schema_context("acme"):
        other = ContactFactory(name="Outra")
    crm.ingest(**review())

    response = crm.ingest(**review(contact_phone="", contact_id=other.pk))

    assert response.status_code == 409 and "contact" in response.json()["external_id"][0]


# --- bad input -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, field, message", [
    ({"score": 11}, "score", "A nota deve ser um número inteiro de 0 a 10."),
    ({"score": -1}, "score", "A nota deve ser um número inteiro de 0 a 10."),
    ({"score": "dez"}, "score", "A nota deve ser um número inteiro de 0 a 10."),
    ({"score": 9.5}, "score", "A nota deve ser um número inteiro de 0 a 10."),
    ({"score": True}, "score", "A nota deve ser um número inteiro de 0 a 10."),
    ({"score": None}, "score", "Informe a nota (score), de 0 a 10."),
    ({"comment": "x" * 2001}, "comment", "Certifique-se de que este campo não tenha mais de 2000 caracteres."),
    ({"source": "Google Meu Negócio"}, "source",
     "Origem inválida: use letras minúsculas, números e _ . - (até 40), ex.: google."),
    ({"source": "followup"}, "source", "\"followup\" é reservado às respostas do pós-atendimento."),
    ({"contact_phone": "+55 11 99999-0000"}, "contact_phone", "Nenhum contato com este telefone."),
    ({"contact_phone": "123"}, "contact_phone",
     "Telefone inválido; use DDI + DDD + número (ex.: +55 11 98888-7777)."),
    ({"contact_phone": "", "contact_id": 987654}, "contact_id", "Contato não encontrado."),
    ({"contact_phone": ""}, "contact_phone", "Informe contact_phone ou contact_id."),
    ({"contact_id": 2**63}, "contact_id", "Id inexistente: grande demais."),
    ({"timestamp": "2026-02-30T10:00:00-03:00"}, "timestamp",
     "Data e hora inválidas; use ISO 8601 (ex.: 2026-03-02T15:00:00-03:00)."),
    ({"timestamp": "1999-12-31T10:00:00-03:00"}, "timestamp", "Data da avaliação antiga demais (antes de 2000)."),
    ({"appointment_id": 987654}, "appointment_id", "Agendamento não encontrado."),
    ({"professional_id": 987654}, "professional_id", "Profissional não encontrado."),
    ({"external_id": "com espaço"}, "external_id", "Use só letras, números e _ . : @ / # - no external_id."),
])
def test_bad_input_is_a_400_in_portuguese_and_stores_nothing(acme, crm, paula, change, field, message):
    response = crm.ingest(**review(**change))

    assert response.status_code == 400, response.content
    assert response.json()[field] == [message]
    assert stored() == []


def test_a_score_in_the_future_is_a_400(acme, crm, paula):
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()

    response = crm.ingest(**review(timestamp=tomorrow))

    assert response.status_code == 400
    assert response.json() == {"timestamp": ["A data da avaliação está no futuro."]}


def test_an_appointment_of_another_contact_is_a_400(acme, crm, paula):
    with schema_context("acme"):
        visit = AppointmentFactory()

    response = crm.ingest(**review(appointment_id=visit.pk))

    assert response.status_code == 400
    assert response.json() == {"appointment_id": ["O agendamento é de outro contato."]}


def test_an_erased_customer_is_no_longer_found(acme, crm, paula):
    with schema_context("acme"):
        type(paula).objects.filter(pk=paula.pk).update(erased_at=timezone.now())

    assert crm.ingest(**review()).status_code == 400


def test_a_body_over_the_limit_is_a_413(acme, crm, paula, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = crm.ingest(**review(comment="x" * 1500))

    assert response.status_code == 413 and response.json() == {"detail": "Corpo grande demais."}
    assert stored() == []


def test_a_key_over_its_minute_limit_gets_429(acme, crm, paula, settings):
    settings.FEEDBACK_INGEST_PER_MINUTE = 2

    answers = [crm.ingest(**review(external_id=f"r-{n}")).status_code for n in range(3)]

    # A minute boundary may fall between the calls and give the key a fresh minute: never more than 2 per minute.
    assert answers[:2] == [201, 201] and answers[2] in (429, 201)
    assert answers.count(201) == len(stored())


# --- keys ----------------------------------------------------------------------------------------------

def test_no_key_is_a_401(acme, paula):
    response = caller(acme).ingest(**review())

    assert response.status_code == 401
    assert stored() == []


@pytest.mark.parametrize("secret", ["fbk_nao-e-uma-chave", "fbk_", "outra-coisa"])
def test_a_wrong_key_is_a_401(acme, crm, paula, secret):
    response = caller(acme, secret).ingest(**review())

    assert response.status_code == 401
    assert stored() == []


def test_a_key_with_one_character_changed_is_a_401(acme, crm, paula):
    wrong = crm.secret[:-1] + ("A" if crm.secret[-1] != "A" else "B")

    assert caller(acme, wrong).ingest(**review()).status_code == 401


def test_a_revoked_key_is_a_401_at_once(acme, crm, paula):
    assert crm.ingest(**review(external_id="antes")).status_code == 201
    with schema_context("acme"):
        feedback_key_revoke(key=FeedbackKey.objects.get(pk=crm.key_id))

    response = crm.ingest(**review(external_id="depois"))

    assert response.status_code == 401
    assert response.json() == {"detail": "Chave de integração inválida ou revogada."}
    assert [f.external_id for f in stored()] == ["antes"]


def test_one_companys_key_is_unknown_on_anothers_host(acme, globex, crm):
    with schema_context("globex"):
        ContactFactory(phone="5511988887777")

    response = caller(globex, crm.secret).ingest(**review())

    assert response.status_code == 401
    with schema_context("globex"):
        assert not Feedback.objects.exists()
