"""GET /api/analytics/recommendations (every member), POST .../{id}/accept and .../{id}/dismiss (manager
and owner): roles, the 400/404/409 answers in Portuguese, another company's ids, and the schema."""

from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from analytics.recommendations.models import Recommendation
from analytics.recommendations.services import recommendations_compute
from tests.agenda.automation_helpers import at
from tests.analytics.recommendations.helpers import customer, reactivation_keys

pytest_plugins = ["tests.agenda.automation_fixtures"]  # in_acme, clock, eager

Kind, Status = Recommendation.Kind, Recommendation.Status
NOW = at(2, 9)
URL = "/api/analytics/recommendations"


@pytest.fixture
def rec(in_acme, clock, settings) -> Recommendation:
    """acme's "2 clientes não voltam há 90 dias", unanswered."""
    settings.ANALYTICS_RECS_INACTIVE_MIN_CONTACTS = 1
    clock(NOW)
    customer("Maria Souza", NOW - timedelta(days=100))
    customer("João Alves", NOW - timedelta(days=120))
    recommendations_compute()
    return Recommendation.objects.get(kind=Kind.INACTIVE_CONTACTS)


def acme_read(query):
    with schema_context("acme"):
        return query()


@pytest.mark.parametrize("role", ["viewer", "manager", "owner"])
def test_every_member_but_the_operator_reads_the_list(api, acme, rec, role):
    response = api(acme, role).get(URL)

    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["id"] == rec.pk and item["title"] == "2 clientes não voltam há 90 dias"
    assert item["kind_display"] == "Clientes que não voltam" and item["status_display"] == "Nova"
    assert item["evidence"]["count"] == 2 and item["action_automatic"] is True
    assert item["action"] == "Enviar uma mensagem de retorno a cada cliente"


def test_the_list_filters_by_status_and_refuses_an_unknown_one_in_portuguese(api, acme, rec):
    client = api(acme, "viewer")

    assert client.get(URL, {"status": "dismissed"}).json()["results"] == []
    assert [r["id"] for r in client.get(URL, {"status": "new"}).json()["results"]] == [rec.pk]
    refused = client.get(URL, {"status": "aberta"})
    assert refused.status_code == 400
    assert refused.json() == {"status": ["Situação desconhecida: use new, accepted, dismissed ou expired."]}


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_viewers_and_operators_may_not_answer(api, acme, rec, role):
    client = api(acme, role)

    assert client.post(f"{URL}/{rec.pk}/accept").status_code == 403
    assert client.post(f"{URL}/{rec.pk}/dismiss").status_code == 403
    assert acme_read(lambda: Recommendation.objects.get(pk=rec.pk).status) == Status.NEW
    assert acme_read(reactivation_keys) == []


def test_a_manager_accepts_and_the_messages_are_queued_once(api, acme, rec):
    client = api(acme, "manager")

    first = client.post(f"{URL}/{rec.pk}/accept")
    second = client.post(f"{URL}/{rec.pk}/accept")

    assert first.status_code == 200 and second.status_code == 200
    assert first.json()["status"] == "accepted" and first.json()["decided_by"] == "manager@acme.test"
    assert first.json()["result"]["queued"] == 2 and second.json()["result"]["already_queued"] == 2
    assert len(acme_read(reactivation_keys)) == 2


def test_accepting_a_dismissed_one_is_a_conflict(api, acme, rec):
    client = api(acme, "owner")

    assert client.post(f"{URL}/{rec.pk}/dismiss").json()["status"] == "dismissed"
    refused = client.post(f"{URL}/{rec.pk}/accept")

    assert refused.status_code == 409
    assert refused.json() == {"detail": "Esta recomendação foi descartada; não é possível aceitá-la."}
    assert acme_read(reactivation_keys) == []


def test_dismissing_an_accepted_one_is_a_conflict(api, acme, rec):
    client = api(acme, "owner")
    client.post(f"{URL}/{rec.pk}/accept")

    refused = client.post(f"{URL}/{rec.pk}/dismiss")

    assert refused.status_code == 409 and "já foi aceita" in refused.json()["detail"]


def test_unknown_ids_and_another_companys_ids_are_not_found(api, acme, globex, rec):
    assert api(acme, "owner").post(f"{URL}/999999/accept").status_code == 404
    assert api(globex, "owner").post(f"{URL}/{rec.pk}/accept").status_code == 404
    assert api(globex, "viewer").get(URL).json()["results"] == []
    assert acme_read(lambda: Recommendation.objects.get(pk=rec.pk).status) == Status.NEW


def test_the_operations_are_in_the_openapi_schema(api, acme):
    paths = api(acme).get("/api/schema/", {"format": "json"}).json()["paths"]

    assert "get" in paths["/api/analytics/recommendations/"]
    assert set(paths["/api/analytics/recommendations/{id}/accept/"]["post"]["responses"]) >= {"200", "403", "404",
                                                                                                "409"}
    assert "409" in paths["/api/analytics/recommendations/{id}/dismiss/"]["post"]["responses"]
