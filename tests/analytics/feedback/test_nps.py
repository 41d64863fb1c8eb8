"""GET /api/feedback/nps and the reports' NPS: the follow-up answers and the scores other systems sent,
together, exact on known inputs, per professional, per service and per source, over the company's days.

The known period, Monday 2 to Wednesday 4 March 2026 in São Paulo (clock on the 10th):

    follow-ups  Ana/Limpeza 10, 9 · Bruno/Consulta 7, 3                       -> 2 promoters, 1 passive, 1 detractor
    google      10 (Ana's Limpeza appointment), 9 (Ana), 8 (nothing named)    -> 2, 1, 0
    pesquisa    9 (Consulta), 0 (Bruno), 6 (nothing named)                    -> 1, 0, 2
    all         5 promoters, 2 passives, 3 detractors of 10                   -> NPS 20.0

and outside it, never counted: a follow-up answered on Sunday 1 at 23:59, a score given on Thursday 5 at 00:00,
a follow-up sent but not scored.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from agenda.models import Appointment
from analytics.feedback.services import feedback_ingest
from analytics.reports.compute import day_parts
from analytics.reports.parts import figures_from_parts
from analytics.reports.services import report_compute
from tests.agenda.factories import AppointmentFactory, FollowUpFactory, ProfessionalFactory, ServiceFactory

SP = ZoneInfo("America/Sao_Paulo")
NPS = "/api/feedback/nps"


def sp(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SP)


class Clinic:
    """Ana and Bruno, Limpeza de pele and Consulta, and the period's scores (module docstring)."""

    def __init__(self, contact):
        self.contact = contact
        self.ana, self.bruno = ProfessionalFactory(name="Ana"), ProfessionalFactory(name="Bruno")
        self.limpeza = ServiceFactory(name="Limpeza de pele NPS")
        self.consulta = ServiceFactory(name="Consulta NPS")
        self.n = 0

    def visit(self, professional, service) -> Appointment:
        return AppointmentFactory(contact=self.contact, professional=professional, service=service,
                                  status=Appointment.Status.ATTENDED, start=sp(2, 9))

    def followup(self, professional, service, score, answered_at) -> None:
        FollowUpFactory(appointment=self.visit(professional, service), score=score, answered_at=answered_at)

    def score(self, source, score, given_at, **about) -> None:
        self.n += 1
        feedback_ingest(external_id=f"{source}-{self.n}", contact_id=self.contact.pk, score=score, source=source,
                        given_at=given_at, comment="", **about)


@pytest.fixture
def clinic(acme, paula, time_machine) -> Clinic:
    time_machine.move_to(sp(10, 12), tick=False)
    with schema_context("acme"):
        c = Clinic(paula)
        c.followup(c.ana, c.limpeza, 10, sp(2, 12))
        c.followup(c.ana, c.limpeza, 9, sp(3, 12))
        c.followup(c.bruno, c.consulta, 7, sp(3, 15))
        c.followup(c.bruno, c.consulta, 3, sp(4, 23, 59))
        c.score("google", 10, sp(2, 0), appointment_id=c.visit(c.ana, c.limpeza).pk)
        c.score("google", 9, sp(3, 10), professional_id=c.ana.pk)
        c.score("google", 8, sp(4, 11))
        c.score("pesquisa", 9, sp(2, 18), service_id=c.consulta.pk)
        c.score("pesquisa", 0, sp(3, 8), professional_id=c.bruno.pk)
        c.score("pesquisa", 6, sp(4, 20))
        # Outside the period, or not a score:
        c.followup(c.ana, c.limpeza, 0, sp(1, 23, 59))
        c.score("google", 0, sp(5, 0))
        FollowUpFactory(appointment=c.visit(c.ana, c.limpeza), score=None, answered_at=sp(3, 9))
    return c


def tally(nps, promoters, passives, detractors) -> dict:
    return {"nps": nps, "promoters": promoters, "passives": passives, "detractors": detractors,
            "responses": promoters + passives + detractors}


def test_the_nps_combines_follow_ups_and_ingested_scores_exactly(clinic, api, acme):
    response = api(acme, "viewer").get(NPS, {"from": "2026-03-02", "to": "2026-03-04"})

    assert response.status_code == 200, response.content
    body = response.json()
    c = clinic
    assert {k: body[k] for k in ("from", "to", "timezone")} == {"from": "2026-03-02", "to": "2026-03-04",
                                                                 "timezone": "America/Sao_Paulo"}
    assert {k: body[k] for k in ("nps", "promoters", "passives", "detractors", "responses")} == tally(20.0, 5, 2, 3)
    assert body["by_professional"] == [
        {"id": c.ana.pk, "name": "Ana", **tally(100.0, 4, 0, 0)},
        {"id": c.bruno.pk, "name": "Bruno", **tally(-66.7, 0, 1, 2)},
        {"id": None, "name": "Sem profissional informado", **tally(0.0, 1, 1, 1)},
    ]
    assert body["by_service"] == [
        {"id": c.consulta.pk, "name": "Consulta NPS", **tally(0.0, 1, 1, 1)},
        {"id": c.limpeza.pk, "name": "Limpeza de pele NPS", **tally(100.0, 3, 0, 0)},
        {"id": None, "name": "Sem serviço informado", **tally(-25.0, 1, 1, 2)},
    ]
    assert body["by_source"] == [
        {"source": "followup", **tally(25.0, 2, 1, 1)},
        {"source": "google", **tally(66.7, 2, 1, 0)},
        {"source": "pesquisa", **tally(-33.3, 1, 0, 2)},
    ]


def test_a_period_without_responses_has_no_nps_and_divides_by_nothing(clinic, api, acme):
    body = api(acme, "viewer").get(NPS, {"from": "2026-02-01", "to": "2026-02-28"}).json()

    assert {k: body[k] for k in ("nps", "promoters", "passives", "detractors", "responses")} == tally(None, 0, 0, 0)
    assert body["by_professional"] == body["by_service"] == body["by_source"] == []


def test_one_day_is_read_on_the_companys_clock(clinic, api, acme):
    body = api(acme, "viewer").get(NPS, {"from": "2026-03-04", "to": "2026-03-04"}).json()

    # Bruno's 3 at 23:59 and the pesquisa 6 at 20:00 are Wednesday in São Paulo (Thursday in UTC); google's 8.
    assert {k: body[k] for k in ("nps", "promoters", "passives", "detractors")} == {
        "nps": -66.7, "promoters": 0, "passives": 1, "detractors": 2}


@pytest.mark.parametrize("query, message", [
    ({"from": "2026-03-04", "to": "2026-03-02"}, "O fim do período é anterior ao início."),
    ({"from": "2024-01-01", "to": "2026-03-02"}, "O período pode ter no máximo 2 anos."),
    ({"from": "2026-03-02", "to": "02/03/2026"}, "Data inválida: use o formato AAAA-MM-DD."),
    ({"from": "2026-03-02"}, "Este campo é obrigatório."),
])
def test_a_bad_range_is_a_400_with_the_reports_rules(acme, api, query, message):
    response = api(acme, "viewer").get(NPS, query)

    assert response.status_code == 400
    assert message in str(response.json())


def test_another_company_sees_none_of_it(clinic, api, globex):
    body = api(globex, "owner").get(NPS, {"from": "2026-03-02", "to": "2026-03-04"}).json()

    assert body["responses"] == 0 and body["by_source"] == []


# --- the reports (analytics/reports/compute.py: _followups) ------------------------------------------

def test_the_reports_nps_and_average_score_count_ingested_scores_too(clinic):
    with schema_context("acme"):
        figures = figures_from_parts(day_parts(sp(3, 0).date(), "America/Sao_Paulo"))

    # Tuesday: follow-ups 9 and 7, google 9, pesquisa 0 -> 2 promoters, 1 detractor of 4; (9+7+9+0)/4.
    assert (figures["nps"], figures["followup_score_avg"]) == (25.0, 6.25)


def test_a_stored_day_and_its_week_combine_them(clinic):
    with schema_context("acme"):
        days = [report_compute(day=sp(d, 0).date()) for d in (2, 3, 4)]

    assert [(d.figures["nps"], d.parts["score_count"]) for d in days] == [(100.0, 3), (25.0, 4), (-66.7, 3)]
    assert sum(d.parts["promoters"] for d in days) == 5 and sum(d.parts["detractors"] for d in days) == 3


def test_a_day_with_only_ingested_scores_has_an_nps(acme, paula, time_machine):
    time_machine.move_to(sp(10, 12), tick=False)
    with schema_context("acme"):
        feedback_ingest(external_id="x", contact_id=paula.pk, score=10, source="google", given_at=sp(6, 10))
        figures = figures_from_parts(day_parts(sp(6, 0).date(), "America/Sao_Paulo"))

    assert (figures["nps"], figures["followup_score_avg"]) == (100.0, 10.0)
