"""Services with the price typed in reais and the duration in minutes, listed as staff read them."""

import pytest
from django_tenants.utils import schema_context

from agenda.models import Service
from conversations.admin_settings.fields import duration_text, reais_to_cents
from tests.panel.settings.conftest import staff


@pytest.mark.parametrize(("typed", "cents"), [
    ("150", 15000), ("150,00", 15000), ("1.200,50", 120050), ("R$ 1.200,00", 120000), ("1.200", 120000),
    ("0,5", 50), ("99,9", 9990), ("150.50", 15050), (" 80 ", 8000), ("", None), ("12.345.678,90", 1234567890),
])
def test_prices_as_brazilians_type_them(typed, cents):
    assert reais_to_cents(typed) == cents


@pytest.mark.parametrize("typed", ["abc", "1,2,3", "1.20.0", "-5", "150,001", "1.2345", "R$"])
def test_what_is_not_a_price_is_refused(typed):
    if typed == "R$":
        assert reais_to_cents(typed) is None  # the symbol alone is nothing typed
        return
    with pytest.raises(ValueError):
        reais_to_cents(typed)


@pytest.mark.parametrize(("minutes", "text"), [(30, "30 min"), (60, "1 h"), (90, "1 h 30 min"), (125, "2 h 5 min")])
def test_durations_in_hours_and_minutes(minutes, text):
    assert duration_text(minutes) == text


def service_form(**fields) -> dict:
    return {"name": "Limpeza de pele", "description": "", "duration_minutes": "90", "buffer_minutes": "0",
            "price_cents": "1.200,50", "keywords": "", "is_active": "on", "_save": "Salvar", **fields}


def test_a_manager_adds_a_service_with_the_price_in_reais(acme):
    response = staff(acme, "manager").post("/admin/agenda/service/add/", service_form())

    assert response.status_code == 302
    with schema_context("acme"):
        service = Service.objects.get(name="Limpeza de pele")
    assert (service.price_cents, service.duration_minutes) == (120050, 90)


def test_the_list_shows_reais_and_hours_and_the_form_shows_the_price_back(acme):
    client = staff(acme, "manager")
    client.post("/admin/agenda/service/add/", service_form(price_cents="1200"))
    with schema_context("acme"):
        pk = Service.objects.get(name="Limpeza de pele").pk

    listing = client.get("/admin/agenda/service/").content.decode()
    form = client.get(f"/admin/agenda/service/{pk}/change/").content.decode()

    assert "R$ 1.200,00" in listing and "1 h 30 min" in listing and "120000" not in listing
    assert 'value="1.200,00"' in form and "duração (minutos)" in form


def test_a_price_that_is_not_money_is_refused_in_portuguese(acme):
    response = staff(acme, "manager").post("/admin/agenda/service/add/", service_form(price_cents="cento e vinte"))

    assert response.status_code == 200
    assert "Use um valor em reais, por exemplo 150, 150,00 ou 1.200,50." in response.content.decode()


def test_a_service_without_price_stays_without(acme):
    staff(acme, "manager").post("/admin/agenda/service/add/", service_form(price_cents=""))

    with schema_context("acme"):
        assert Service.objects.get(name="Limpeza de pele").price_cents is None
