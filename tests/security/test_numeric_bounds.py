"""Numbers that do not fit their column are a 400 with a pt-BR message, not a 500 "integer out of
range" (issue 16, finding 8): in the API's serializers and in the admin's forms."""

import pytest
from django_tenants.utils import schema_context

from agenda.models import Service
from tests.accounts.conftest import admin_client
from tests.conftest import member

INTEGER_MAX = 2**31 - 1


def service(**fields) -> dict:
    return {"name": "Consulta", "duration_minutes": 30, **fields}


@pytest.mark.parametrize("field, value", [
    ("price_cents", 9448297060841), ("price_cents", INTEGER_MAX + 1),
    ("calcom_event_type_id", 2**31), ("calcom_event_type_id", 10**30),
])
def test_an_out_of_range_number_is_a_400_with_a_message(api, acme, field, value):
    response = api(acme, "manager").post("/api/agenda/services", service(**{field: value}), format="json")

    assert response.status_code == 400, response.content
    assert response.json()[field] == [f"Use no máximo {INTEGER_MAX}."]


def test_the_largest_value_that_fits_is_accepted(api, acme):
    response = api(acme, "manager").post(
        "/api/agenda/services", service(price_cents=INTEGER_MAX, calcom_event_type_id=INTEGER_MAX), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["price_cents"] == INTEGER_MAX


def test_an_id_beyond_bigint_is_a_400(api, acme):
    response = api(acme, "manager").post(
        "/api/agenda/services", service(professionals=[2**63]), format="json")

    assert response.status_code == 400
    assert "grande demais" in str(response.json()["professionals"])


@pytest.mark.parametrize("query", ["service=99999999999999999999", "professional=9223372036854775808"])
def test_an_id_beyond_bigint_in_a_query_is_a_400(api, acme, query):
    assert api(acme, "manager").get(f"/api/agenda/availability?{query}").status_code == 400


def test_the_admin_form_refuses_a_price_beyond_the_column(acme):
    browser = admin_client(acme, member(acme, "manager"))

    response = browser.post("/admin/agenda/service/add/", {
        "name": "Consulta cara", "duration_minutes": 30, "buffer_minutes": 0, "price_cents": 9448297060841,
        "is_active": "on"})

    assert response.status_code == 200  # the form again, with the error
    assert "Valor alto demais (máximo R$ 21.474.836,47)." in response.content.decode()
    with schema_context("acme"):
        assert not Service.objects.filter(name="Consulta cara").exists()
