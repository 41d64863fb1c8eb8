"""The other three next best actions: hours with many no-shows (accept = an extra confirmation reminder
for their upcoming appointments), handoffs past the company's SLA (a link to them), and a service the
customers ask about and nobody books."""

from datetime import timedelta

import pytest

from agenda.models import CalendarConfig, Reminder
from agenda.services.config import calendar_config_forget
from analytics.recommendations.actions import action_link
from analytics.recommendations.models import Recommendation
from analytics.recommendations.selectors import recommendation_top
from analytics.recommendations.services import recommendation_accept, recommendations_compute
from conversations.core.handoff import conversation_hand_back
from conversations.models import CompanyProfile, Contact, Conversation
from tests.agenda.automation_helpers import at, book, calendar_make
from tests.agenda.factories import ReminderFactory, ServiceFactory
from tests.analytics.recommendations.helpers import customer, only, visit, weekly
from tests.conversations.factories import ContactFactory, ConversationFactory, MessageFactory

pytest_plugins = ["tests.agenda.automation_fixtures"]  # in_acme, clock, eager

Kind, Status = Recommendation.Kind, Recommendation.Status
NOW = at(2, 9)  # Monday 2 March 2026, 09:00 São Paulo
OWNER = "owner@acme.test"
HIGH = Reminder.Kind.HIGH_RISK


@pytest.fixture
def acme_now(in_acme, clock, settings):
    settings.ANALYTICS_RECS_NOSHOW_MIN_SAMPLE = 8
    settings.ANALYTICS_RECS_NOSHOW_RATE = 0.3
    settings.ANALYTICS_RECS_SERVICE_MIN_ASKS = 3
    settings.ANALYTICS_RECS_INACTIVE_MIN_CONTACTS = 1000  # not what these tests look at
    clock(NOW)
    return in_acme


# --- hours with many no-shows -----------------------------------------------------------------

@pytest.fixture
def slots(acme_now):
    people = ContactFactory(name="Clientes")
    weekly(people, at(2, 8), "aaaannnnaa")  # Mondays 8h: 4 of 10 missed (40 %)
    weekly(people, at(3, 10), "aaaaaaaaan")  # Tuesdays 10h: 1 of 10 (10 %)
    weekly(people, at(5, 9), "nnnnnnn")  # Thursdays 9h: 7 of 7, too few to judge
    weekly(people, at(2, 8) - timedelta(weeks=13), "nnnnnnnnnn")  # 14+ weeks ago: outside the 90 days
    return people


def test_a_slot_missed_too_often_is_recommended_with_its_numbers(slots):
    recommendations_compute()

    row = only(Kind.NOSHOW_SLOT)
    assert row.title == "Segunda-feira às 8h: 4 de 10 agendamentos com falta (40 %) nos últimos 90 dias"
    assert row.subject == "slot:0:8" and row.importance == 40
    assert row.evidence == {"weekday": 0, "hour": 8, "total": 10, "no_shows": 4, "rate": 0.4, "window_days": 90}


def test_slots_are_read_in_the_companys_time_zone(slots):
    CalendarConfig.objects.update_or_create(singleton=1, defaults={"timezone": "America/Manaus"})  # UTC-4
    calendar_config_forget()

    recommendations_compute()

    row = only(Kind.NOSHOW_SLOT)
    assert row.subject == "slot:0:7" and row.title.startswith("Segunda-feira às 7h: 4 de 10")


def test_accepting_plans_one_extra_reminder_for_the_slots_upcoming_appointments(slots):
    ana, consulta = calendar_make()
    monday = book(customer("Maria Souza"), at(9, 8), ana, consulta)  # next Monday 08:00
    monday_later = book(customer("João Alves"), at(16, 8, 30), ana, consulta)  # the Monday after, 08:30
    tuesday = book(customer("Ana Paula Ferreira"), at(10, 10), ana, consulta)  # another slot
    reminded = book(customer("Carlos Eduardo Lima"), at(9, 8, 30), ana, consulta)
    ReminderFactory(appointment=reminded, kind=HIGH, offset_minutes=180)  # agenda's risk scoring did already
    recommendations_compute()
    row = only(Kind.NOSHOW_SLOT)

    accepted = recommendation_accept(recommendation=row, actor=OWNER)
    recommendation_accept(recommendation=row, actor=OWNER)  # a second click plans nothing more

    extra = Reminder.objects.filter(kind=HIGH)
    assert sorted(extra.values_list("appointment_id", flat=True)) == sorted([monday.pk, monday_later.pk, reminded.pk])
    assert extra.get(appointment=monday).due_at == at(9, 5)  # three hours before
    assert not extra.filter(appointment=tuesday).exists()
    assert accepted.result == {"planned": 2, "appointments": 3}


def test_a_booking_in_an_accepted_slot_gets_its_extra_reminder_at_once(slots, django_capture_on_commit_callbacks):
    recommendations_compute()
    recommendation_accept(recommendation=only(Kind.NOSHOW_SLOT), actor=OWNER)
    ana, consulta = calendar_make()

    with django_capture_on_commit_callbacks(execute=True):
        booked = book(customer("Juliana Rocha"), at(9, 8), ana, consulta)
        other = book(customer("Pedro Henrique Costa"), at(9, 10), ana, consulta)

    assert Reminder.objects.filter(appointment=booked, kind=HIGH).count() == 1
    assert not Reminder.objects.filter(appointment=other, kind=HIGH).exists()


def test_the_daily_run_plans_the_reminder_for_appointments_booked_since_accepting(slots):
    recommendations_compute()
    row = only(Kind.NOSHOW_SLOT)
    recommendation_accept(recommendation=row, actor=OWNER)
    ana, consulta = calendar_make()
    later = visit(customer("Camila Ribeiro"), at(23, 8), status="pending", professional=ana, service=consulta)

    recommendations_compute()

    row.refresh_from_db()
    assert Reminder.objects.filter(appointment=later, kind=HIGH).count() == 1
    assert row.closed_at is None and row.result["planned"] == 1


# --- handoffs past their SLA -----------------------------------------------------------------------

def handoff(minutes_ago: int, name: str) -> Conversation:
    return ConversationFactory(contact=ContactFactory(name=name), status=Conversation.Status.HANDOFF,
                               handoff_at=NOW - timedelta(minutes=minutes_ago))


def test_handoffs_waiting_past_the_companys_timeout_are_listed_with_a_link(acme_now):
    CompanyProfile.objects.update_or_create(singleton=1, defaults={"handoff_timeout_minutes": 20})
    late = handoff(95, "Maria Souza")
    handoff(40, "João Alves")
    handoff(10, "Ana Paula Ferreira")  # still within the timeout
    answered = handoff(60, "Carlos Eduardo Lima")
    MessageFactory(conversation=answered, outbound=True, sent_by="operator@acme.test", text="Oi, já vou ver.")

    recommendations_compute()

    row = only(Kind.HANDOFF_SLA)
    assert row.title == "2 conversas aguardam a equipe há mais de 20 minutos (a mais antiga há 1 h 35 min)"
    assert row.evidence["count"] == 2 and row.evidence["sla_minutes"] == 20
    assert row.evidence["conversation_ids"][0] == late.pk and row.evidence["oldest_minutes"] == 95
    assert action_link(row) == "/admin/conversations/conversation/?status__exact=handoff"
    accepted = recommendation_accept(recommendation=row, actor=OWNER)
    assert accepted.status == Status.ACCEPTED and accepted.result == {}  # nothing automatic


def test_the_handoff_recommendation_closes_once_nobody_waits(acme_now):
    CompanyProfile.objects.update_or_create(singleton=1, defaults={"handoff_timeout_minutes": 15})
    waiting = handoff(30, "Maria Souza")
    recommendations_compute()
    assert only(Kind.HANDOFF_SLA).title.startswith("1 conversa aguarda a equipe há mais de 15 minutos")

    conversation_hand_back(conversation=waiting, actor=None)
    recommendations_compute()

    assert only(Kind.HANDOFF_SLA).status == Status.EXPIRED


# --- a service asked about and never booked ---------------------------------------------------------

def ask(name: str, text: str) -> None:
    """An inbound message from the customer called `name` (one contact per name)."""
    contact = Contact.objects.filter(name=name).first() or ContactFactory(name=name)
    MessageFactory(contact=contact, text=text)


def test_a_service_many_ask_about_and_nobody_books_is_recommended(acme_now):
    drenagem = ServiceFactory(name="Drenagem linfática", keywords="drenagem, linfática")
    consulta = ServiceFactory(name="Consulta de rotina", keywords="consulta, check-up")
    ServiceFactory(name="Peeling químico", keywords="peeling")
    ask("Maria Souza", "Quanto custa a drenagem linfática?")
    ask("João Alves", "vcs fazem drenagem?")
    ask("Ana Paula Ferreira", "Queria saber da drenajem linfatica")
    ask("Ana Paula Ferreira", "e a drenagem demora quanto?")  # the same person again: still 3 people
    for name in ("Carlos Eduardo Lima", "Juliana Rocha", "Pedro Henrique Costa"):
        ask(name, "quero marcar uma consulta")
    visit(customer("Fernanda Oliveira"), NOW + timedelta(days=1), status="pending", service=consulta)
    ask("Lucas Martins", "tem peeling?")  # one person only
    ask("Camila Ribeiro", "Oi, bom dia!")

    recommendations_compute()

    row = only(Kind.SERVICE_UNBOOKED)
    assert row.title == "Drenagem linfática: 3 clientes perguntaram nos últimos 30 dias e ninguém agendou"
    assert row.evidence["service_id"] == drenagem.pk and row.evidence["asked_contacts"] == 3
    assert action_link(row) == f"/admin/agenda/service/{drenagem.pk}/change/"


def test_a_booking_of_the_service_closes_it(acme_now):
    drenagem = ServiceFactory(name="Drenagem linfática", keywords="drenagem, linfática")
    for name in ("Maria Souza", "João Alves", "Ana Paula Ferreira"):
        ask(name, "Vocês fazem drenagem linfática?")
    recommendations_compute()
    visit(customer("Rafael dos Santos"), NOW + timedelta(days=1), status="pending", service=drenagem)

    recommendations_compute()

    assert only(Kind.SERVICE_UNBOOKED).status == Status.EXPIRED


# --- the PDF's selector ------------------------------------------------------------------------------

def test_the_top_recommendations_are_the_open_unanswered_ones_most_important_first(slots):
    handoff(30, "Maria Souza")
    recommendations_compute()
    slot = only(Kind.NOSHOW_SLOT)

    assert [row.kind for row in recommendation_top()] == [Kind.HANDOFF_SLA, Kind.NOSHOW_SLOT]
    assert [row.kind for row in recommendation_top(limit=1)] == [Kind.HANDOFF_SLA]
    recommendation_accept(recommendation=slot, actor=OWNER)
    assert [row.kind for row in recommendation_top()] == [Kind.HANDOFF_SLA]


def test_only_the_worst_slots_are_recommended(acme_now):
    people = ContactFactory(name="Clientes")
    for hour, outcomes in zip(range(8, 14), ["nnnaaaaa", "nnnnaaaa", "nnnnnaaa", "nnnaaaaa", "nnnnnnaa", "nnnnaaaa"],
                              strict=True):
        weekly(people, at(3, hour), outcomes)  # Tuesdays 8h..13h: 3/8 .. 6/8 missed

    recommendations_compute()

    found = Recommendation.objects.filter(kind=Kind.NOSHOW_SLOT).order_by("-importance", "subject")
    # 11h ties with 8h at 3 of 8: the earlier hour stays in, 11h is left out.
    assert [row.subject for row in found] == ["slot:1:12", "slot:1:10", "slot:1:13", "slot:1:9", "slot:1:8"]
