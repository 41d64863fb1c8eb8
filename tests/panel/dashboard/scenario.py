"""A known Wednesday at acme's reception, 11 March 2026, 14:00 in São Paulo, and the 30 days before it.

The day (written through the handoff and reply services where a person acts, factories for the rest):

- waiting for a person: Ana Paula since her handoff at 11:30 (2 h 30 min); Bruno, answered by the staff
  at 12:10, wrote again at 13:20 (40 min); a nameless customer handed over at 13:55 (5 min);
- not waiting: Davi, answered at 12:05 and silent since; Elisa, still with the assistant;
- the agenda: Dra. Ana Lima at 09:00 (attended) and 15:00 (confirmed), her 11:00 cancelled; Dr. Bruno Reis at
  10:00 (no-show) and 16:30 (pending); 17:00 pending with nobody; tomorrow 09:00 pending, Friday pending;
- no-shows this week: today 10:00 and Monday 11:00 (last Friday's is last week's).

The period, as the reports count it (the past days stored by the nightly run, today read live):

- 20 Feb: 2 messages in, one AI call of 1M completion tokens (R$ 3,00);
- 5 Mar: 4 messages in (answered) and 2 out; 5 appointments booked (3 that day, attended, with follow-up
  scores 10, 9 and 6; Friday's and Monday's no-shows); 1M + 1M tokens (R$ 3,75);
- today: 6 messages in, 2 staff replies out, 8 appointments booked, Fernanda's follow-up 8, 2M prompt
  tokens (R$ 1,50).

acme is put on a plan of 200 answered messages and 10M AI tokens a month (outreach unlimited).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import Appointment
from analytics.reports.services import report_compute
from billing.models import Plan, SubscriptionChange
from billing.services import plan_change
from conversations.channels.services import channel_configure
from conversations.core.handoff import conversation_handoff, staff_reply
from conversations.models import LLMCall, Message
from tests.agenda.factories import AppointmentFactory, FollowUpFactory, ProfessionalFactory, ServiceFactory
from tests.conftest import member
from tests.conversations.factories import ContactFactory, ConversationFactory, MessageFactory

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 3, 11, 14, 0, tzinfo=SP)
Status = Appointment.Status


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SP)


def known_day(acme, clock) -> None:
    """Write the scenario in acme's schema and leave the clock at NOW."""
    with schema_context(acme.schema_name):
        channel_configure(kind="sandbox")
        _limited_plan(acme)
        _february(clock)
        _fifth_of_march(clock)
        _today_agenda(clock)
        _today_conversations(clock)
        clock(NOW)
        # What the nightly run stored for the past days with rows (the others read as empty either way);
        # today and the two days before it the reports read live.
        for day in (date(2026, 2, 20), date(2026, 3, 5), date(2026, 3, 6)):
            report_compute(day=day)


def _limited_plan(acme) -> None:
    Plan.objects.create(code="painel-limites", name="Painel com limites", monthly_messages=200,
                        monthly_llm_tokens=10_000_000, monthly_outreach=0)
    plan_change(company=acme, plan_code="painel-limites", cause=SubscriptionChange.Cause.ADMIN)


def _ai(prompt: int, completion: int) -> None:
    LLMCall.objects.create(provider="openai", model="gpt-4o-mini", input_tokens=prompt, output_tokens=completion,
                           outcome="ok")


def _february(clock) -> None:
    clock(at(20, 10, month=2))
    MessageFactory.create_batch(2)
    _ai(0, 1_000_000)


def _fifth_of_march(clock) -> None:
    clock(at(5, 9))
    for inbound in MessageFactory.create_batch(4):
        Message.objects.filter(pk=inbound.pk).update(state=Message.State.ANSWERED, processed_at=timezone.now())
    MessageFactory.create_batch(2, outbound=True)
    _ai(1_000_000, 1_000_000)
    ana, bruno = _people()
    consulta = ServiceFactory(name="Consulta", duration_minutes=30, professionals=[ana, bruno])
    for hour, score in ((15, 10), (16, 9), (17, 6)):
        visit = AppointmentFactory(service=consulta, professional=ana, start=at(5, hour), status=Status.ATTENDED)
        FollowUpFactory(appointment=visit, answered_at=at(5, 19), score=score)
    _visit("Carlos Eduardo Lima", "5521990000106", at(6, 11), Status.NO_SHOW, bruno, consulta)
    _visit("Pedro Henrique Costa", "5521990000109", at(9, 11), Status.NO_SHOW, ana, consulta)


def _people():
    return ProfessionalFactory(name="Dra. Ana Lima"), ProfessionalFactory(name="Dr. Bruno Reis")


def _visit(name, phone, start, status, professional, service) -> Appointment:
    return AppointmentFactory(contact=ContactFactory(name=name, phone=phone), start=start, status=status,
                              professional=professional, service=service)


def _today_agenda(clock) -> None:
    from agenda.models import Professional, Service

    clock(at(11, 8))
    ana, bruno = Professional.objects.get(name="Dra. Ana Lima"), Professional.objects.get(name="Dr. Bruno Reis")
    consulta = Service.objects.get(name="Consulta")
    fernanda = _visit("Fernanda Oliveira", "5521990000201", at(11, 9), Status.ATTENDED, ana, consulta)
    _visit("Gabriel Pereira", "5521990000202", at(11, 15), Status.CONFIRMED, ana, consulta)
    _visit("Lucas Martins", "5521990000203", at(11, 11), Status.CANCELLED, ana, consulta)
    _visit("Rafael dos Santos", "5521990000204", at(11, 10), Status.NO_SHOW, bruno, consulta)
    _visit("Juliana Rocha", "5521990000205", at(11, 16, 30), Status.PENDING, bruno, consulta)
    _visit("Camila Ribeiro", "5521990000206", at(11, 17), Status.PENDING, None, consulta)
    _visit("Beatriz Carvalho", "5521990000207", at(12, 9), Status.PENDING, ana, consulta)
    _visit("Marcos Lima", "5521990000208", at(13, 10), Status.PENDING, bruno, consulta)
    clock(at(11, 12))
    FollowUpFactory(appointment=fernanda, answered_at=timezone.now(), score=8)
    _ai(2_000_000, 0)


def _today_conversations(clock) -> None:
    staff = member_of_acme()
    ana = _chat(clock, "Ana Paula Ferreira", "5521990000001", at(11, 11, 25))
    bruno = _chat(clock, "Bruno Souza", "5521990000002", at(11, 11, 55))
    davi = _chat(clock, "Davi Nunes", "5521990000004", at(11, 11, 58))
    _handoff(clock, ana, at(11, 11, 30), "Pediu para falar com uma pessoa")
    _handoff(clock, bruno, at(11, 12), "Reclamação de cobrança")
    _handoff(clock, davi, at(11, 12), "Dúvida sobre convênio")
    clock(at(11, 12, 5))
    staff_reply(conversation=davi, author=staff, text="Oi Davi, já vou te ajudar.")
    clock(at(11, 12, 10))
    staff_reply(conversation=bruno, author=staff, text="Bruno, estou verificando.")
    _chat(clock, "Elisa Prado", "5521990000005", at(11, 13))  # with the assistant
    clock(at(11, 13, 20))
    MessageFactory(conversation=bruno, text="Ainda estou aguardando")
    nameless = _chat(clock, "", "5521990000003", at(11, 13, 50))
    _handoff(clock, nameless, at(11, 13, 55), "")


def member_of_acme():
    from tenants.models import Company

    return member(Company.objects.get(slug="acme"), "owner")


def _chat(clock, name: str, phone: str, when: datetime):
    clock(when)
    conversation = ConversationFactory(contact=ContactFactory(name=name, phone=phone))
    MessageFactory(conversation=conversation)
    return conversation


def _handoff(clock, conversation, when: datetime, reason: str) -> None:
    clock(when)
    conversation_handoff(conversation=conversation, reason=reason)
