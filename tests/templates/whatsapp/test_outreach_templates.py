"""Outside the 24-hour window a business-initiated message goes as the approved template mapped to its slot,
each `{{n}}` filled with the mapped variable (checked when mapped); unmapped, it keeps the channel's
single-variable fallback. The real outreach, outbox and Meta client run against the local Graph API."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from conversations.models import Contact, Message
from conversations.outreach.services import Outreach, outreach_send
from templates.whatsapp.models import WhatsAppTemplate, WhatsAppTemplateMapping
from templates.whatsapp.services import mapping_problems, whatsapp_mapping_save
from tests.templates.whatsapp.conftest import PHONE_ID

CUSTOMER = "5511912345678"
SEND_PATH = f"/v21.0/{PHONE_ID}/messages"
VARIABLES = {"nome": "Maria", "servico": "Limpeza de pele", "profissional": "Dra. Ana", "data": "terça, 08/12",
             "hora": "15:00", "endereco": "Rua das Flores, 123\nCentro", "empresa": "Clínica Bella Pele"}
TEXT = ("Olá, Maria! Lembrete: Limpeza de pele com Dra. Ana amanhã, terça, 08/12, às 15:00. Confirma?\n\n"
        "1. Confirmar\n2. Remarcar")


def template(channel, *, name="lembrete_consulta", body="Olá {{1}}! {{2}} em {{3}} às {{4}}, {{5}}.",
             status="APPROVED", header="") -> WhatsAppTemplate:
    return WhatsAppTemplate.objects.create(channel=channel, name=name, language="pt_BR", category="UTILITY",
                                           status=status, body_text=body, header_text=header)


def send_reminder(django_capture_on_commit_callbacks, key: str = "reminder:7:24h") -> Message:
    contact = Contact.objects.get_or_create(phone=CUSTOMER)[0]
    with django_capture_on_commit_callbacks(execute=True):
        outbox = outreach_send(Outreach(contact=contact, text=TEXT, kind="reminder", key=key,
                                        slot="reminder_24h", variables=VARIABLES))
    return Message.objects.get(pk=outbox.message_id)


# --- the mapping ---------------------------------------------------------------------------------

def test_every_placeholder_must_be_mapped_to_a_variable_the_slot_has(acme_meta, reminder_slot):
    with schema_context("acme"):
        chosen = template(acme_meta)

        assert mapping_problems(channel=acme_meta, slot="reminder_24h", template=chosen,
                                variables=["nome", "servico", "data", "hora", "endereco"]) == {}
        too_few = mapping_problems(channel=acme_meta, slot="reminder_24h", template=chosen, variables=["nome"])
        assert too_few == {"variables": ["O template lembrete_consulta tem 5 variável(is) no corpo: escolha uma "
                                         "variável da mensagem para cada {{n}}, na ordem (recebidas: 1)."]}
        unknown = mapping_problems(channel=acme_meta, slot="reminder_24h", template=chosen,
                                   variables=["nome", "cpf", "data", "hora", "link"])
        assert unknown["variables"][0].startswith("Variáveis que a mensagem reminder_24h não tem — {{2}}: 'cpf', "
                                                  "{{5}}: 'link'. Use: nome, ")
        assert mapping_problems(channel=acme_meta, slot="nao_existe", template=chosen, variables=[]) == {
            "slot": ["Mensagem desconhecida: 'nao_existe'."]}


def test_a_header_variable_or_a_gap_in_the_numbers_cannot_be_mapped(acme_meta, reminder_slot):
    with schema_context("acme"):
        gap = template(acme_meta, name="com_buraco", body="Oi {{1}}, até {{3}}.")
        header = template(acme_meta, name="com_cabecalho", body="Oi {{1}}.", header="Para {{1}}")

        with pytest.raises(ValidationError) as caught:
            whatsapp_mapping_save(channel=acme_meta, slot="reminder_24h", template=gap, variables=["nome", "data"])
        assert "numeradas em sequência" in caught.value.message_dict["template"][0]
        assert "cabeçalho" in mapping_problems(channel=acme_meta, slot="reminder_24h", template=header,
                                               variables=["nome"])["template"][0]
        assert not WhatsAppTemplateMapping.objects.exists()


def test_saving_a_mapping_again_replaces_it(acme_meta, reminder_slot):
    with schema_context("acme"):
        first, second = template(acme_meta), template(acme_meta, name="lembrete_curto", body="Oi {{1}}, até {{2}}!")
        whatsapp_mapping_save(channel=acme_meta, slot="reminder_24h", template=first,
                              variables=["nome", "servico", "data", "hora", "endereco"])
        whatsapp_mapping_save(channel=acme_meta, slot="reminder_24h", template=second, variables=["nome", "data"])

        (mapping,) = WhatsAppTemplateMapping.objects.all()
        assert (mapping.template, mapping.variables) == (second, ["nome", "data"])


# --- sending outside the window ------------------------------------------------------------------

def test_a_reminder_outside_the_window_goes_as_the_mapped_template_with_its_parameters_in_order(
        acme_meta, meta, reminder_slot, django_capture_on_commit_callbacks):
    meta.window_closed.add(CUSTOMER)
    with schema_context("acme"):
        whatsapp_mapping_save(channel=acme_meta, slot="reminder_24h", template=template(acme_meta),
                              variables=["nome", "servico", "data", "hora", "endereco"])

        message = send_reminder(django_capture_on_commit_callbacks)

        assert message.payload == {"outreach": "reminder", "slot": "reminder_24h", "variables": VARIABLES,
                                   "template": "lembrete_consulta"}
        assert message.delivery_status == "sent" and message.provider_message_id.startswith("wamid.LOCAL")
    text_attempt, sent = meta.requests_to(SEND_PATH, "POST")
    assert text_attempt.body["type"] == "text"
    assert sent.body == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": CUSTOMER,
                         "type": "template", "template": {
                             "name": "lembrete_consulta", "language": {"code": "pt_BR"},
                             "components": [{"type": "body", "parameters": [
                                 {"type": "text", "text": "Maria"}, {"type": "text", "text": "Limpeza de pele"},
                                 {"type": "text", "text": "terça, 08/12"}, {"type": "text", "text": "15:00"},
                                 # Meta's parameter rules: no newlines (template_text_parameter)
                                 {"type": "text", "text": "Rua das Flores, 123 Centro"}]}]}}


def test_an_unmapped_slot_keeps_the_single_variable_fallback(acme_meta, meta, reminder_slot,
                                                             django_capture_on_commit_callbacks):
    meta.window_closed.add(CUSTOMER)
    with schema_context("acme"):
        message = send_reminder(django_capture_on_commit_callbacks)

        assert message.payload["template"] == "aviso_geral"
    sent = meta.requests_to(SEND_PATH, "POST")[-1].body
    assert sent["template"] == {"name": "aviso_geral", "language": {"code": "pt_BR"}, "components": [
        {"type": "body", "parameters": [{"type": "text", "text": " ".join(TEXT.split())}]}]}


def test_a_mapped_template_that_is_not_approved_now_falls_back_too(acme_meta, meta, reminder_slot,
                                                                   django_capture_on_commit_callbacks):
    meta.window_closed.add(CUSTOMER)
    with schema_context("acme"):
        paused = template(acme_meta, status="PAUSED")
        whatsapp_mapping_save(channel=acme_meta, slot="reminder_24h", template=paused,
                              variables=["nome", "servico", "data", "hora", "endereco"])

        assert send_reminder(django_capture_on_commit_callbacks).payload["template"] == "aviso_geral"


def test_inside_the_window_the_text_goes_as_text(acme_meta, meta, reminder_slot, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        whatsapp_mapping_save(channel=acme_meta, slot="reminder_24h", template=template(acme_meta),
                              variables=["nome", "servico", "data", "hora", "endereco"])

        message = send_reminder(django_capture_on_commit_callbacks)

        assert "template" not in message.payload
    (sent,) = meta.requests_to(SEND_PATH, "POST")
    assert sent.body["text"]["body"] == TEXT
