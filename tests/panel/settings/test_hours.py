"""The weekly grid: a professional's week with a lunch break is typed as two intervals, saved as the
agenda's WorkingHours rows, and the slots the chat offers follow at once; mistakes are said in pt-BR."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import WorkingHours
from agenda.services.slots import slots_find
from agenda.types import SlotQuery
from compliance.audit.models import AuditEvent
from tests.agenda.factories import SP, ProfessionalFactory
from tests.panel.settings.conftest import staff

WEEKDAYS = range(5)


def grid(week: dict[int, list[tuple[str, str]]], *, closed: tuple[int, ...] = ()) -> dict:
    """The POST of the grid: `week[weekday]` = [(start, end), ...]; days left out are closed."""
    data = {}
    for weekday in range(7):
        if weekday in closed or weekday not in week:
            data[f"week-{weekday}-closed"] = "on"
        for index, (start, end) in enumerate(week.get(weekday, [])):
            data[f"week-{weekday}-{index}-start"], data[f"week-{weekday}-{index}-end"] = start, end
    return data


def next_weekday(weekday: int) -> date:
    """The next such weekday at least two days ahead (past the minimum notice)."""
    day = timezone.now().astimezone(SP).date() + timedelta(days=2)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def local_starts(professional_id: int, day: date) -> list[str]:
    slots = slots_find(query=SlotQuery(professional_id=professional_id, day=day, limit=50))
    return [f"{slot.start.astimezone(SP):%H:%M}" for slot in slots]


@pytest.fixture
def ana(acme):
    with schema_context("acme"):
        return ProfessionalFactory(name="Dra. Ana Lima", weekdays=WEEKDAYS)  # 08:00–18:00, Mon–Fri


def test_a_week_with_a_lunch_break_becomes_two_rows_a_day_and_the_offered_slots_follow(acme, ana):
    monday = next_weekday(0)
    with schema_context("acme"):
        before = local_starts(ana.pk, monday)
    assert "12:00" in before and "12:30" in before  # 08:00–18:00 had no break

    week = {day: [("08:00", "12:00"), ("13:00", "17:00")] for day in WEEKDAYS} | {5: [("8h", "12h")]}
    response = staff(acme, "manager").post(f"/admin/agenda/professional/{ana.pk}/horarios/", grid(week))

    assert response.status_code == 302
    with schema_context("acme"):
        rows = [(h.weekday, h.start, h.end) for h in WorkingHours.objects.filter(professional=ana)]
        after = local_starts(ana.pk, monday)
        saturday = local_starts(ana.pk, next_weekday(5))
    assert rows == [(day, start, end) for day in WEEKDAYS for start, end in ((time(8), time(12)), (time(13), time(17)))
                    ] + [(5, time(8), time(12))]
    assert "12:00" not in after and "12:30" not in after and "17:00" not in after
    assert "11:30" in after and "13:00" in after
    assert saturday and min(saturday) == "08:00" and max(saturday) == "11:30"


def test_the_saved_week_shows_back_in_words_and_the_next_slots(acme, ana):
    client = staff(acme, "manager")
    client.post(f"/admin/agenda/professional/{ana.pk}/horarios/",
                grid({0: [("09:00", "12:00"), ("14:00", "18:00")]}))

    page = client.get(f"/admin/agenda/professional/{ana.pk}/horarios/", follow=True).content.decode()

    assert 'value="09:00"' in page and 'value="14:00"' in page
    assert "Próximos horários oferecidos" in page
    assert "segunda" in page
    index = client.get("/admin/agenda/professional/horarios/").content.decode()
    assert "segunda, das 9h às 12h e das 14h às 18h" in index


@pytest.mark.parametrize(("week", "message"), [
    ({0: [("12:00", "08:00")]}, "Segunda: o fim (08:00) deve ser depois do início (12:00)."),
    ({2: [("08:00", "12:00"), ("11:00", "14:00")]}, "Quarta: os intervalos 08:00–12:00 e 11:00–14:00 se sobrepõem."),
    ({4: [("08:00", "")]}, "Sexta: informe o início e o fim de cada intervalo."),
    ({6: [("oito", "12:00")]}, "Domingo: horário inválido (oito–12:00); use, por exemplo, 08:00."),
])
def test_mistakes_are_refused_in_portuguese_and_the_week_stays(acme, ana, week, message):
    response = staff(acme, "manager").post(f"/admin/agenda/professional/{ana.pk}/horarios/", grid(week))

    assert response.status_code == 200
    assert message in response.content.decode()
    with schema_context("acme"):
        assert WorkingHours.objects.filter(professional=ana).count() == 5  # untouched


def test_a_closed_day_drops_what_was_typed_in_it(acme, ana):
    data = grid({0: [("08:00", "12:00")], 1: [("08:00", "12:00")]}, closed=(1,))

    staff(acme, "manager").post(f"/admin/agenda/professional/{ana.pk}/horarios/", data)

    with schema_context("acme"):
        assert list(WorkingHours.objects.filter(professional=ana).values_list("weekday", flat=True)) == [0]


def test_saving_the_hours_is_in_the_audit_trail(acme, ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff(acme, "owner").post(f"/admin/agenda/professional/{ana.pk}/horarios/", grid({0: [("08:00", "12:00")]}))

    with schema_context("acme"):
        event = AuditEvent.objects.filter(action="agenda.professional_hours_set").get()
    assert event.actor == "owner@acme.test" and event.data["hours"] == "segunda, das 8h às 12h"


def test_a_viewer_sees_the_grid_without_a_save_button_and_cannot_post(acme, ana):
    client = staff(acme, "viewer")

    page = client.get(f"/admin/agenda/professional/{ana.pk}/horarios/").content.decode()
    refused = client.post(f"/admin/agenda/professional/{ana.pk}/horarios/", grid({0: [("08:00", "09:00")]}))

    assert "Salvar horários" not in page and "disabled" in page and 'value="08:00"' in page
    assert refused.status_code == 403
    with schema_context("acme"):
        assert WorkingHours.objects.filter(professional=ana).count() == 5


def test_a_new_professional_goes_straight_to_their_grid(acme):
    response = staff(acme, "manager").post("/admin/agenda/professional/add/",
                                           {"name": "Dr. Caio Prado", "is_active": "on", "_save": "Salvar"})

    assert response.status_code == 302 and response.url.endswith("/horarios/")


def test_the_professionals_list_links_each_week(acme, ana):
    page = staff(acme, "manager").get("/admin/agenda/professional/").content.decode()

    assert f"/admin/agenda/professional/{ana.pk}/horarios/" in page
    assert "segunda a sexta, das 8h às 18h" in page
