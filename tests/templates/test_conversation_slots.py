"""The conversation's, LGPD and quota texts are the company's template slots: a company's edit (a
ReplyTemplate row in its schema) is what its customers receive, through the real reply pipeline."""
# ruff: noqa: F811 - the quota fixtures are shared from tests/billing/test_metering.py (as test_quotas.py does)

import re
import secrets
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from conversations.assistant.llm import llm_config_set
from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.ingest import inbound_store
from conversations.core.pipeline import conversation_reply
from conversations.models import CompanyProfile, Message
from secretaria.settings_cache import settings_changed
from templates.replies.catalogue import SLOTS_DIR, slot_get
from templates.replies.models import ReplyTemplate
from templates.replies.syntax import alternatives, fields, fill, validate
from tenants.selectors import company_current
from tests.billing.test_metering import answer, llm_server, metered, plan_set  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
OURS = ("conversations.toml", "compliance.toml", "billing.toml")
SP = ZoneInfo("America/Sao_Paulo")
SUNDAY_NIGHT = datetime(2026, 3, 1, 21, 0, tzinfo=SP)  # closed; Monday opens at 8h
WEEKDAYS_8_TO_18 = {str(day): [["08:00", "18:00"]] for day in range(5)}


@pytest.fixture
def clinic(acme, settings, django_capture_on_commit_callbacks):
    """acme on the sandbox channel, no business hours (no out-of-hours note), replies without debounce."""
    settings.DEBOUNCE_SECONDS = 0
    with schema_context(acme.schema_name):
        channel_configure(kind="sandbox")
        profile_set()
        yield acme


def profile_set(**values) -> None:
    CompanyProfile.objects.update_or_create(singleton=1, defaults={"business_hours": {}, **values})
    settings_changed()


def edit(slot: str, text: str, variant: str = "") -> None:
    """What the admin and the API do: the company's row, and its settings version moved on."""
    ReplyTemplate.objects.update_or_create(slot=slot, variant=variant, defaults={"text": text})
    settings_changed()


class Customer:
    """Someone writing on WhatsApp: stored as the sandbox webhook stores it, answered by the pipeline."""

    def __init__(self, name: str = "Maria Souza"):
        self.name, self.phone = name, f"55119{secrets.randbelow(10**8):08d}"

    def says(self, text: str, *, status: str = "answered") -> str:
        stored = inbound_store(message=InboundMessage(
            provider="sandbox", provider_message_id=f"slots-{secrets.token_hex(6)}", sender=self.phone,
            sender_name=self.name, kind=MessageKind.TEXT, text=text, timestamp=timezone.now()))
        # created_at is PostgreSQL's now(), which a frozen clock does not reach: put it on the clock.
        Message.objects.filter(pk=stored.pk).update(created_at=timezone.now())
        assert conversation_reply(contact_id=stored.contact_id).status == status
        return self.last_received()

    def last_received(self) -> str:
        return Message.objects.filter(contact__phone=self.phone, direction="out").latest("id").text


def company() -> str:
    return company_current().name


# --- a company's edit is what the customer receives ---------------------------------------------

def test_the_first_words_to_a_new_contact_are_the_company_s_greeting(clinic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        before = Customer().says("oi")
        edit("greeting", "Olá, {nome}! Que bom ver você na {empresa}. Sou {assistente}.")
        after = Customer("joana lima").says("oi")

    assert "Aqui é Ana, assistente virtual" in before or "Ana, a assistente virtual" in before \
        or "Quem fala é Ana" in before
    assert after.startswith(f"Olá, Joana! Que bom ver você na {company()}. Sou Ana.")


def test_a_formal_company_gets_the_formal_variant(clinic, django_capture_on_commit_callbacks):
    edit("greeting", "Oi, {nome}! Aqui é a {assistente} 😊")
    edit("greeting", "Prezado(a) {nome}, aqui é {assistente}, da {empresa}.", variant="formal")
    with django_capture_on_commit_callbacks(execute=True):
        neutral = Customer().says("bom dia")
        profile_set(formality="formal")
        formal = Customer().says("bom dia")

    assert neutral.startswith("Oi, Maria! Aqui é a Ana")
    assert formal.startswith(f"Prezado(a) Maria, aqui é Ana, da {company()}.")


def test_the_handoff_notice_and_its_apology_for_an_upset_customer(clinic, django_capture_on_commit_callbacks):
    edit("handoff_notice", "Certo, {nome}: chamei a equipe da {empresa}.")
    edit("handoff_notice", "Desculpe pelo transtorno, {nome}. A equipe já foi chamada.", variant="upset")
    with django_capture_on_commit_callbacks(execute=True):
        asked = Customer().says("quero falar com um atendente")
        upset = Customer("Rita").says("péssimo atendimento, estou muito insatisfeita, quero reclamar")

    assert asked == f"Certo, Maria: chamei a equipe da {company()}."
    assert upset == "Desculpe pelo transtorno, Rita. A equipe já foi chamada."


def test_out_of_hours_the_handoff_says_when_the_team_is_back_in_the_company_s_words(
        clinic, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    profile_set(business_hours=WEEKDAYS_8_TO_18)
    with django_capture_on_commit_callbacks(execute=True):
        before = Customer().says("quero falar com um atendente")
        edit("out_of_hours", "Agora estamos fechados; a equipe responde {quando}.")
        after = Customer().says("quero falar com um atendente")

    assert before.endswith("No momento estamos fora do horário de atendimento. Nossa equipe volta amanhã às 8h "
                           "e continua a conversa por aqui.")
    assert after.endswith("\nAgora estamos fechados; a equipe responde amanhã às 8h.")


def test_a_paused_company_s_quota_notice_is_its_own(metered):
    plan_set(metered, monthly_messages=1, overage_policy="block_ai")
    answer("Oi", "slots-q1")  # the plan's one answered message
    edit("quota_notice", "{nome}, a equipe da {empresa} já recebeu a sua mensagem e responde em breve.")

    waiting = answer("Alguém aí?", "slots-q2", phone="5511900000077")

    assert Message.objects.get(pk=waiting.pk).state == "skipped"
    notice = Message.objects.filter(contact=waiting.contact, direction="out").get()
    assert notice.text == f"Maria, a equipe da {company()} já recebeu a sua mensagem e responde em breve."


def test_the_lgpd_answers_are_the_company_s(clinic, django_capture_on_commit_callbacks):
    edit("lgpd_access_ask", "{nome}, quer receber aqui uma cópia dos seus dados? Responda SIM ou NÃO.")
    edit("lgpd_access_sent", "Aqui está, {nome}: {link}")
    customer = Customer()
    with django_capture_on_commit_callbacks(execute=True):
        asked = customer.says("quero meus dados")
        sent = customer.says("sim")

    assert asked == "Maria, quer receber aqui uma cópia dos seus dados? Responda SIM ou NÃO."
    assert re.fullmatch(r"Aqui está, Maria: https://\S+/api/compliance/exports/download/\S+", sent)


def test_the_callback_offer_is_the_company_s(clinic, time_machine, django_capture_on_commit_callbacks):
    from conversations.core.handoff import handoff_callbacks_offer

    monday_10h = datetime(2026, 3, 2, 10, 0, tzinfo=SP)
    time_machine.move_to(monday_10h - timedelta(minutes=30), tick=False)
    profile_set(business_hours=WEEKDAYS_8_TO_18, handoff_timeout_minutes=15)
    edit("callback_offer", "{nome}, quer que a {empresa} te ligue? 1 para sim, 2 para esperar.")
    customer = Customer()
    with django_capture_on_commit_callbacks(execute=True):
        customer.says("quero falar com um atendente")
    time_machine.move_to(monday_10h, tick=False)

    assert handoff_callbacks_offer() == 1
    assert customer.last_received() == f"Maria, quer que a {company()} te ligue? 1 para sim, 2 para esperar."


# --- a language model words free answers, never the company's templates -------------------------

def test_with_a_language_model_the_templates_are_sent_as_rendered(
        clinic, llm_server, django_capture_on_commit_callbacks):
    llm_config_set(provider="openai", model="gpt-4o-mini", api_key="sk-teste",
                   base_url=f"http://127.0.0.1:{llm_server.server_port}/v1")
    edit("greeting", "Olá, {nome}! Aqui é {assistente}, da {empresa}.")
    edit("thanks_reply", "Imagina, {nome}! Conte com a {empresa}.")
    with django_capture_on_commit_callbacks(execute=True):
        hello = Customer().says("oi")
        thanks = Customer().says("obrigada!")
        assert llm_server.calls == 0  # fixed texts alone: the model is not asked
        question = Customer().says("oi, vocês têm estacionamento?")

    greeting = f"Olá, Maria! Aqui é Ana, da {company()}."
    assert hello.startswith(greeting) and thanks == f"Imagina, Maria! Conte com a {company()}."
    # A free answer: the model words it (its fake answer), after the company's greeting, which it never rewrites.
    assert llm_server.calls == 1
    assert question == f"{greeting}\nOlá! Como posso ajudar?"


# --- the slots themselves -------------------------------------------------------------------------

def our_slots() -> dict[str, dict]:
    found = {}
    for name in OURS:
        with (SLOTS_DIR / name).open("rb") as data:
            found |= tomllib.load(data)
    return found


def code_text() -> str:
    sources = [p for part in ("conversations", "compliance", "billing") for p in (ROOT / part).rglob("*.py")
               if "migrations" not in p.parts]
    return "\n".join(p.read_text(encoding="utf-8") for p in sources)


def test_every_slot_of_ours_is_asked_for_by_the_code():
    code = code_text()
    unused = [name for name in our_slots() if f'"{name}"' not in code]
    assert not unused, f"slots no code asks for: {unused}"


@pytest.mark.parametrize("name", sorted(our_slots()))
def test_every_default_validates_and_fills_with_its_samples(name):
    slot = slot_get(name)
    assert slot.label and slot.moment and slot.help
    for text in (slot.text, *slot.variants.values()):
        validate(text, allowed=slot.variables)
        for option in alternatives(text):
            said = fill(option, slot.sample())
            assert said and "{" not in said and "}" not in said
            assert set(fields(option)) <= set(slot.variables)
