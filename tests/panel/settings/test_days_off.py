"""Days off and holidays: a day off typed in pt-BR dates stops the slots that day, a whole-business one
reaches what the assistant says, the year's national holidays are listed and may close the calendar."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import TimeOff
from agenda.services.slots import slots_find
from agenda.types import SlotQuery
from conversations.assistant.closed_days import closed_days_ahead
from conversations.assistant.models import CompanyProfile
from tests.agenda.factories import SP, ProfessionalFactory
from tests.panel.settings.conftest import staff

PAGE = "/admin/agenda/timeoff/"


def ahead(days: int) -> date:
    return timezone.now().astimezone(SP).date() + timedelta(days=days)


def starts_on(day: date, professional_id: int | None = None) -> list[str]:
    slots = slots_find(query=SlotQuery(day=day, professional_id=professional_id, limit=50))
    return [f"{slot.start.astimezone(SP):%H:%M}" for slot in slots]


@pytest.fixture
def ana(acme):
    with schema_context("acme"):
        TimeOff.objects.all().delete()
        return ProfessionalFactory(name="Dra. Ana Lima", weekdays=range(7))


def test_a_whole_day_off_for_everyone_closes_the_slots_and_the_assistant_knows(acme, ana):
    day = ahead(3)
    with schema_context("acme"):
        assert starts_on(day)

    response = staff(acme, "manager").post(PAGE, {"action": "add", "first": f"{day:%d/%m/%Y}", "all_day": "on",
                                                  "reason": "Reforma da recepção"})

    assert response.status_code == 302
    with schema_context("acme"):
        assert starts_on(day) == []
        assert starts_on(day + timedelta(days=1))
        closed = closed_days_ahead(profile=CompanyProfile(opens_on_holidays=True), now=timezone.now())
    assert closed[day] == "Reforma da recepção"
    page = staff(acme, "manager").get(PAGE).content.decode()
    assert f"{day:%d/%m/%Y}" in page and "dia inteiro" in page and "Todos (empresa fechada)" in page


def test_an_afternoon_off_for_one_professional_keeps_the_morning(acme, ana):
    day = ahead(4)

    staff(acme, "manager").post(PAGE, {"action": "add", "professional": ana.pk, "first": f"{day:%d/%m/%Y}",
                                       "start": "13:00", "end": "18:00", "reason": "Congresso"})

    with schema_context("acme"):
        offered = starts_on(day, ana.pk)
    assert "09:00" in offered and "12:00" in offered and "13:00" not in offered and "15:00" not in offered
    page = staff(acme, "manager").get(PAGE).content.decode()
    assert f"{day:%d/%m/%Y}" in page and "das 13:00 às 18:00" in page and "Dra. Ana Lima" in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"first": "31/02/2030"}, "Data inválida: use dd/mm/aaaa (ex.: 25/12/2026)."),
    ({"first": "10/03/2030", "last": "09/03/2030"}, "A data final deve ser igual ou depois da inicial."),
    ({"first": "10/03/2030", "start": "", "end": "12:00"}, "Informe o horário (ex.: 13:00), ou marque dia inteiro."),
    ({"first": "10/03/2030", "start": "14:00", "end": "13:00"}, "O fim da folga deve ser depois do início."),
])
def test_mistakes_are_said_in_portuguese(acme, ana, fields, message):
    response = staff(acme, "manager").post(PAGE, {"action": "add", **fields})

    assert response.status_code == 200 and message in response.content.decode()
    with schema_context("acme"):
        assert not TimeOff.objects.exists()


def test_the_years_holidays_are_listed_and_one_closes_the_calendar(acme, ana):
    year = timezone.localdate().year + 1
    christmas = date(year, 12, 25)

    page = staff(acme, "manager").get(f"{PAGE}?ano={year}").content.decode()
    staff(acme, "manager").post(PAGE, {"action": "holiday", "year": year, "day": christmas.isoformat()})
    after = staff(acme, "manager").get(f"{PAGE}?ano={year}").content.decode()

    assert f"Feriados de {year}" in page and "Natal" in page and f"25/12/{year} (" in page
    assert "Confraternização Universal" in page or "Confraternização universal" in page
    with schema_context("acme"):
        row = TimeOff.objects.get()
    assert row.reason == "Natal" and row.professional is None
    assert row.start == datetime(year, 12, 25, tzinfo=SP) and row.end == datetime(year, 12, 26, tzinfo=SP)
    assert after.count("Folga marcada") == 1


def test_the_state_holidays_join_the_national_ones(acme, ana):
    with schema_context("acme"):
        CompanyProfile.objects.update_or_create(singleton=1, defaults={"state": "SP"})

    page = staff(acme, "viewer").get(f"{PAGE}?ano=2027").content.decode()

    assert "09/07/2027 (sexta)" in page  # the Constitutionalist Revolution, São Paulo's own
    assert "e de São Paulo" in page


def test_removing_a_day_off_gives_the_slots_back(acme, ana):
    day = ahead(5)
    client = staff(acme, "manager")
    client.post(PAGE, {"action": "add", "first": f"{day:%d/%m/%Y}", "all_day": "on"})
    with schema_context("acme"):
        pk = TimeOff.objects.get().pk

    client.post(PAGE, {"action": "remove", "id": pk})

    with schema_context("acme"):
        assert not TimeOff.objects.exists() and starts_on(day)


def test_operators_mark_a_day_off_but_do_not_remove_one_and_viewers_only_read(acme, ana):
    day = ahead(6)
    operator, viewer = staff(acme, "operator"), staff(acme, "viewer")

    added = operator.post(PAGE, {"action": "add", "professional": ana.pk, "first": f"{day:%d/%m/%Y}",
                                 "all_day": "on", "reason": "Atestado"})
    with schema_context("acme"):
        pk = TimeOff.objects.get().pk
    removed = operator.post(PAGE, {"action": "remove", "id": pk})
    viewer_page = viewer.get(PAGE).content.decode()

    assert added.status_code == 302 and removed.status_code == 403
    assert viewer.post(PAGE, {"action": "add", "first": f"{day:%d/%m/%Y}"}).status_code == 403
    assert "Atestado" in viewer_page and "Marcar folga" not in viewer_page and "Remover" not in viewer_page
