"""The agenda's fixed texts are template slots: a company's edit changes what the customer receives.

Each test edits slots (a ReplyTemplate row in acme's schema, then `settings_changed()`, as every settings
write does) and drives the real path: the customer writes through ingest and the reply pipeline, or the
automation's service sends through the outbox; then it reads what left for the customer. The clinic is
acme's demo calendar (devstack/demo/agenda.py) on the sandbox channel; the clock is frozen on Monday
2 March 2026, 09:00 in São Paulo.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import Appointment, FollowUp, Reminder, WaitlistEntry
from agenda.services.booking import appointment_book, appointment_cancel, appointment_mark_attended
from agenda.services.config import calendar_config_forget
from agenda.services.followups import followup_send
from agenda.services.noshows import noshows_detect
from agenda.services.reminders import reminder_message, reminder_send
from agenda.services.waitlist import waitlist_join, waitlist_slot_freed
from agenda.types import Slot, SlotQuery
from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.ingest import inbound_store
from conversations.core.pipeline import conversation_reply
from conversations.models import Contact, KnowledgeItem, Message, Outbox
from devstack.demo.agenda import demo_calendar_ensure
from secretaria.settings_cache import settings_changed
from secretaria.texts import text
from templates.replies import render
from templates.replies.catalogue import STANDARD, slots
from templates.replies.models import ReplyTemplate
from templates.replies.syntax import fields, fill, validate
from tenants.selectors import company_current
from tests.conversations.factories import ContactFactory

TZ = ZoneInfo("America/Sao_Paulo")
ROOT = Path(__file__).resolve().parents[2]
AGENDA_SLOTS = ROOT / "templates" / "replies" / "slots" / "agenda.toml"
ADDRESS = "Rua das Acácias, 120 — Vila Mariana"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def clinic(acme, settings, time_machine):
    """Inside acme: the demo clinic, the sandbox channel, no debounce, Monday 09:00."""
    settings.DEBOUNCE_SECONDS = 0
    time_machine.move_to(at(2, 9), tick=False)
    with schema_context(acme.schema_name):
        demo_calendar_ensure()
        channel_configure(kind="sandbox")
        KnowledgeItem.objects.create(kind="address", title="Endereço", answer=ADDRESS)
        calendar_config_forget()
        yield
    calendar_config_forget()


def edit(**texts: str) -> None:
    """The company's wording of these slots, seen by the next message (as the admin and the API save it)."""
    for slot, wording in texts.items():
        ReplyTemplate.objects.update_or_create(slot=slot, variant="", defaults={"text": wording})
    settings_changed()


class Customer:
    """One person on WhatsApp: each message is stored as the webhook does and answered by the reply pipeline."""

    count = 0

    def __init__(self, phone: str, name: str):
        self.phone, self.name = phone, name

    def says(self, words: str) -> str:
        """What the customer receives in answer to `words`."""
        Customer.count += 1
        stored = inbound_store(message=InboundMessage(
            provider="sandbox", provider_message_id=f"agenda-slots-{Customer.count}", sender=self.phone,
            sender_name=self.name, kind=MessageKind.TEXT, text=words, timestamp=timezone.now()))
        # created_at is PostgreSQL's now(), which the frozen clock does not reach: put it on the clock.
        Message.objects.filter(pk=stored.pk).update(created_at=timezone.now())
        assert conversation_reply(contact_id=stored.contact_id).status == "answered"
        return last_received(stored.contact)

    @property
    def contact(self) -> Contact:
        return Contact.objects.get(phone=self.phone)


def last_received(contact: Contact) -> str:
    return Message.objects.filter(contact=contact, direction="out").latest("id").text


def sent(key: str) -> str:
    return Outbox.objects.select_related("message").get(idempotency_key=key).message.text


def service_id(name: str) -> int:
    from agenda.models import Service

    return Service.objects.get(name=name).pk


def staff_books(contact: Contact, start: datetime, service: str = "Limpeza de pele") -> Appointment:
    slot = Slot(start, start + timedelta(minutes=60), service_id(service))
    return appointment_book(contact=contact, slot=slot, source="admin", actor="owner@acme.test")


# --- the catalogue and the code agree ------------------------------------------------------------------------

def agenda_slot_names() -> set[str]:
    import tomllib

    return set(tomllib.loads(AGENDA_SLOTS.read_text()))


def agenda_source() -> dict[Path, str]:
    return {path: path.read_text() for path in (ROOT / "agenda").rglob("*.py") if "migrations" not in path.parts}


def slots_asked_in_code() -> set[str]:
    """The slot names written in the agenda's calls to `said`, `Turn.said` and `outreach_message`."""
    asked = set()
    for source in agenda_source().values():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and node.args and _callee(node) in ("said", "outreach_message"):
                asked |= {c.value for c in ast.walk(node.args[0]) if isinstance(c, ast.Constant)
                          and isinstance(c.value, str)}
    return asked


def _callee(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def test_every_agenda_slot_is_used_by_the_code():
    code = "\n".join(agenda_source().values())
    unused = sorted(name for name in agenda_slot_names() if f'"{name}"' not in code)
    assert unused == []


def test_every_slot_the_agenda_asks_for_is_in_the_catalogue():
    assert slots_asked_in_code() - set(slots()) == set()
    assert slots_asked_in_code() <= agenda_slot_names()


def test_every_agenda_default_validates_and_reads_well_with_sample_values():
    for name in agenda_slot_names():
        slot = slots()[name]
        assert slot.label and slot.moment and slot.help, name
        assert {"nome", "empresa"} <= set(slot.variables), name  # the agenda fills both for every text
        own = set(slot.variables) - set(STANDARD)
        assert own <= set(slot.samples), f"{name}: a preview needs a sample of {own - set(slot.samples)}"
        for wording in (slot.text, *slot.variants.values()):
            validate(wording, allowed=slot.variables)
            shown = fill(wording, slot.sample())
            assert "{" not in shown and "[" not in shown, (name, shown)


def test_no_fixed_text_is_left_in_the_agenda_chat():
    """The old constants are gone: what the chat says comes from slots (formatting helpers stay)."""
    messages = (ROOT / "agenda" / "chat" / "messages.py").read_text()
    assert not re.search(r"^[A-Z_]+ = \(?\"", messages, re.MULTILINE)


# --- optional parts: one wording for every calendar ----------------------------------------------------------

def test_an_empty_professional_service_or_address_leaves_no_loose_words():
    assert fields("{data} às {hora} com {profissional} — {servico}.") == ["data", "hora", "profissional", "servico"]
    assert fill("Tenho {data} às {hora} com {profissional} — {servico}. Posso?",
                {"data": "terça, 03/03", "hora": "10:00"}) == "Tenho terça, 03/03 às 10:00. Posso?"
    assert fill("Livres para {servico}:", {}) == "Livres:"
    assert fill("Confirma o cancelamento de {servico} de {data}?", {"data": "terça"}) == (
        "Confirma o cancelamento de terça?")
    assert fill("Feito!\n📍 {endereco}\nAté lá.", {}) == "Feito!\nAté lá."
    assert fill("Feito!\n📍 {endereco}\nAté lá.", {"endereco": "Rua A"}) == "Feito!\n📍 Rua A\nAté lá."


def test_the_booking_confirmation_on_a_calendar_without_professionals_or_address(clinic):
    """Cal.com slots have no professional; a company may have no address: the default still reads right."""
    confirmation = text("booking_confirmation", {"servico": "Consulta", "data": "terça, 03/03", "hora": "10:00",
                                                 "profissional": "", "endereco": ""})

    assert confirmation == ("Prontinho, agendado! ✅\nConsulta — terça, 03/03 às 10:00.\n"
                            "Você vai receber um lembrete antes. Se precisar remarcar ou cancelar, é só me avisar "
                            "por aqui.")


# --- booking in the chat -----------------------------------------------------------------------------------

def test_the_companys_slot_list_and_booking_confirmation_reach_the_customer(clinic):
    edit(slot_list_intro="Separei estes horários de {servico} para você, {nome}:",
         slot_list_hint="É só mandar o número.",
         booking_confirmation="Marcado, {nome}! {servico} na {data} às {hora} com {profissional}.\n📍 {endereco}\n"
                              "Até lá! Equipe {empresa}")
    paula = Customer("5511977770001", "Paula Lima")

    offer = paula.says("Oi! Quero agendar uma limpeza de pele")

    assert "Separei estes horários de Limpeza de pele para você, Paula:" in offer
    assert "1) segunda, 02/03 às 10:00 — Juliana (esteticista)" in offer
    assert offer.endswith("É só mandar o número.") and "Tenho estes horários" not in offer

    booked = paula.says("1")

    assert booked.endswith(f"Marcado, Paula! Limpeza de pele na segunda, 02/03 às 10:00 com Juliana (esteticista).\n"
                           f"📍 {ADDRESS}\nAté lá! Equipe {company_current().name}")
    assert Appointment.objects.get(contact=paula.contact).status == "pending"


def test_without_an_edit_the_customer_reads_the_default(clinic):
    paula = Customer("5511977770002", "Paula Lima")

    paula.says("Quero agendar uma limpeza de pele")
    booked = paula.says("1")

    assert ("Prontinho, agendado! ✅\nLimpeza de pele — segunda, 02/03 às 10:00 com Juliana (esteticista).\n"
            f"📍 {ADDRESS}\nVocê vai receber um lembrete antes.") in booked


def test_the_companys_cancel_and_reschedule_texts_reach_the_customer(clinic):
    edit(cancel_ask="Posso cancelar {servico} ({data}, {hora})? Responda sim ou não.",
         cancel_confirmation="Cancelado: {servico}, {data} às {hora}. Até a próxima, {nome}!",
         reschedule_intro="Bora achar outro horário para {servico} (era {data} às {hora}).")
    paula, joao = Customer("5511977770003", "Paula Lima"), Customer("5511977770004", "João Reis")
    staff_books(ContactFactory(phone=paula.phone, name=paula.name), at(4, 10))
    staff_books(ContactFactory(phone=joao.phone, name=joao.name), at(5, 14))

    asked = paula.says("Quero cancelar minha limpeza de pele")
    done = paula.says("sim")
    moving = joao.says("Preciso remarcar minha limpeza de pele")

    assert "Posso cancelar Limpeza de pele (quarta, 04/03, 10:00)? Responda sim ou não." in asked
    assert "Cancelado: Limpeza de pele, quarta, 04/03 às 10:00. Até a próxima, Paula!" in done
    assert "Bora achar outro horário para Limpeza de pele (era quinta, 05/03 às 14:00)." in moving


def test_the_companys_no_appointments_answer_reaches_the_customer(clinic):
    edit(no_appointments="Não achei nada marcado para você, {nome}. Quer agendar?")

    reply = Customer("5511977770005", "Rita Alves").says("Quero cancelar meu horário")

    assert "Não achei nada marcado para você, Rita. Quer agendar?" in reply


def test_an_ab_test_chooses_the_slot_list_intro_per_contact(clinic, monkeypatch):
    """The agenda names the contact, so a chooser (templates/experiments) can pick per person."""
    paula, rita = Customer("5511977770006", "Paula Lima"), Customer("5511977770007", "Rita Alves")
    paula_id = ContactFactory(phone=paula.phone, name=paula.name).pk

    def variant_b_for_paula(ask):
        return "Variante B para {servico}:" if ask.slot == "slot_list_intro" and ask.contact_id == paula_id else None

    monkeypatch.setattr(render, "_choosers", [variant_b_for_paula])

    assert "Variante B para Limpeza de pele:" in paula.says("Quero agendar uma limpeza de pele")
    assert "Tenho estes horários livres para Limpeza de pele:" in rita.says("Quero agendar uma limpeza de pele")


# --- reminders ---------------------------------------------------------------------------------------------

def test_the_companys_reminders_and_confirmation_reach_the_customer(clinic, time_machine):
    edit(reminder_24h="Oi, {nome}! Amanhã tem {servico} às {hora} com {profissional}. Equipe {empresa}.",
         reminder_1h="{nome}, daqui a pouco ({hora}) é o seu horário!",
         reminder_answer_hint="1 confirma, 2 remarca, 3 cancela.",
         reminder_confirmed="Confirmadíssimo, {nome}! Até {data} às {hora}.")
    fabio = Customer("5511977770008", "Fabio Souza")
    visit = staff_books(ContactFactory(phone=fabio.phone, name=fabio.name), at(4, 10))
    day_before, hour_before = Reminder.objects.filter(appointment=visit).order_by("due_at")

    time_machine.move_to(at(3, 10), tick=False)
    assert reminder_send(reminder_id=day_before.pk) == "sent"
    assert sent(f"reminder:{day_before.pk}") == (
        f"Oi, Fabio! Amanhã tem Limpeza de pele às 10:00 com Juliana (esteticista). Equipe {company_current().name}."
        "\n1 confirma, 2 remarca, 3 cancela.")

    assert "Confirmadíssimo, Fabio! Até quarta, 04/03 às 10:00." in fabio.says("1")

    time_machine.move_to(at(4, 9), tick=False)
    assert reminder_send(reminder_id=hour_before.pk) == "sent"
    assert sent(f"reminder:{hour_before.pk}") == (
        "Fabio, daqui a pouco (10:00) é o seu horário!\n1 confirma, 2 remarca, 3 cancela.")


def test_a_reminder_carries_its_slot_and_variables_for_whatsapp_templates(clinic):
    visit = staff_books(ContactFactory(phone="5511977770009", name="Gabi Nunes"), at(3, 10))

    message = reminder_message(appointment=visit, key="reminder:test", now=at(2, 10))

    assert message.slot == "reminder_24h"
    assert message.variables == {"nome": "Gabi", "empresa": company_current().name,
                                 "endereco": "Rua das Acácias, 120 — Vila Mariana", "servico": "Limpeza de pele",
                                 "profissional": "Juliana (esteticista)", "data": "amanhã (terça-feira, 03/03)",
                                 "hora": "10:00"}
    assert message.options_body == message.text.split("\n")[0]  # the buttons stand in for the hint
    assert reminder_message(appointment=visit, key="reminder:test", now=at(3, 9)).slot == "reminder_1h"


# --- no-shows ----------------------------------------------------------------------------------------------

def test_the_companys_rebooking_offer_and_its_answer_reach_the_customer(clinic, time_machine):
    edit(noshow_rebook_offer="{nome}, sentimos sua falta ({data}, {hora}). Que tal:\n{horarios}\nMande o número.",
         rebook_declined="Sem problemas, {nome}. Estamos aqui quando quiser.")
    bruno = Customer("5511977770010", "Bruno Dias")
    visit = staff_books(ContactFactory(phone=bruno.phone, name=bruno.name), at(2, 10))

    time_machine.move_to(at(2, 11, 31), tick=False)  # ended 11:00, 30 min of grace
    assert noshows_detect() == 1

    offer = sent(f"rebook:{visit.pk}")
    assert offer.startswith("Bruno, sentimos sua falta (hoje, 10:00). Que tal:\n1 - ")
    assert offer.endswith("\nMande o número.")
    assert "Sem problemas, Bruno. Estamos aqui quando quiser." in bruno.says("não, obrigado")


# --- the waitlist ------------------------------------------------------------------------------------------

def test_the_companys_waitlist_offer_and_its_answer_reach_the_customer(clinic):
    edit(waitlist_offer="{nome}, vagou {data} às {hora} para {servico}. Quer? Responda SIM.",
         waitlist_declined="Ok, {nome}! Você segue na fila.")
    carla = Customer("5511977770011", "Carla Melo")
    waiting = ContactFactory(phone=carla.phone, name=carla.name)
    taken = staff_books(ContactFactory(phone="5511977770012", name="Davi"), at(4, 10))
    waitlist_join(contact=waiting, query=SlotQuery(service_id=service_id("Limpeza de pele")))

    appointment_cancel(appointment=taken, reason="Viagem", actor="owner@acme.test")
    assert waitlist_slot_freed(appointment_id=taken.pk) == 1

    entry = WaitlistEntry.objects.get(contact=waiting)
    assert last_received(waiting) == "Carla, vagou quarta, 04/03 às 10:00 para Limpeza de pele. Quer? Responda SIM."
    assert "Ok, Carla! Você segue na fila." in carla.says("não")
    assert WaitlistEntry.objects.get(pk=entry.pk).state == "waiting"


# --- follow-ups --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("answer", "slot"), [("10, adorei!", "followup_thanks"), ("nota 7", "followup_neutral"),
                                              ("nota 2", "followup_negative")])
def test_the_companys_followup_and_thanks_reach_the_customer(clinic, time_machine, answer, slot):
    edit(followup_question="{nome}, como foi {servico} com {profissional}? Dê uma nota de 0 a 10.",
         **{slot: f"Resposta da empresa ({slot}), {{nome}}."})
    ana = Customer("5511977770013", "Ana Prado")
    visit = staff_books(ContactFactory(phone=ana.phone, name=ana.name), at(2, 10))
    time_machine.move_to(at(2, 11, 5), tick=False)
    appointment_mark_attended(appointment=visit, actor="owner@acme.test")
    followup = FollowUp.objects.get(appointment=visit)

    time_machine.move_to(followup.due_at, tick=False)
    assert followup_send(followup_id=followup.pk) == "sent"

    assert sent(f"followup:{followup.pk}") == (
        "Ana, como foi Limpeza de pele com Juliana (esteticista)? Dê uma nota de 0 a 10.")
    assert f"Resposta da empresa ({slot}), Ana." in ana.says(answer)
