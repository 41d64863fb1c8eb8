"""The feedback list in the company admin (pt-BR): the date on the company's clock, the phone formatted,
score, source and comment; read-only for every role."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django_tenants.utils import schema_context

from analytics.feedback.services import feedback_ingest
from tests.accounts.conftest import admin_client
from tests.conftest import member

SP = ZoneInfo("America/Sao_Paulo")


def test_the_list_shows_local_time_a_readable_phone_score_source_and_comment(acme, paula, time_machine):
    time_machine.move_to(datetime(2026, 3, 4, 12, tzinfo=SP), tick=False)
    with schema_context("acme"):
        feedback = feedback_ingest(external_id="g-1", contact_id=paula.pk, score=3, source="google",
                                   comment="Esperei demais.", given_at=datetime(2026, 3, 2, 21, 30, tzinfo=UTC))
    browser = admin_client(acme, member(acme, "viewer"))

    page = browser.get("/admin/analytics/feedback/")
    detail = browser.get(f"/admin/analytics/feedback/{feedback.feedback.pk}/change/")

    text = page.content.decode()
    assert page.status_code == 200
    for shown in ("02/03/2026 18:30", "+55 11 98888-7777", "Paula Souza", "google", "Esperei demais.",
                  "Avaliações recebidas"):
        assert shown in text, shown
    assert detail.status_code == 200 and "g-1" in detail.content.decode()


def test_nobody_adds_or_edits_a_score_by_hand(acme, paula):
    browser = admin_client(acme, member(acme, "owner"))

    assert browser.get("/admin/analytics/feedback/add/").status_code == 403
