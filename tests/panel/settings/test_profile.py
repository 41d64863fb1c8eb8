"""The assistant's profile page: the company's opening hours as the same weekly grid (no JSON), saved as
the hours the assistant answers with; a viewer reads them in words."""

from django_tenants.utils import schema_context

from conversations.assistant.models import CompanyProfile
from tests.panel.settings.conftest import staff


def profile_page(acme) -> str:
    with schema_context("acme"):
        profile, _ = CompanyProfile.objects.update_or_create(singleton=1, defaults={
            "assistant_name": "Bia", "business_hours": {"0": [["08:00", "18:00"]]}})
    return f"/admin/conversations/companyprofile/{profile.pk}/change/"


def form(**fields) -> dict:
    data = {"assistant_name": "Bia", "formality": "neutral", "empathy": "on", "out_of_hours_message": "",
            "state": "", "handoff_timeout_minutes": "15", "_save": "Salvar"}
    for weekday in range(7):
        data[f"business_hours-{weekday}-closed"] = "on"
    return {key: value for key, value in {**data, **fields}.items() if value is not None}


def test_the_opening_hours_are_a_grid_saved_as_the_assistants_hours(acme):
    url = profile_page(acme)
    week = {}
    for weekday in range(5):
        week |= {f"business_hours-{weekday}-closed": None, f"business_hours-{weekday}-0-start": "08:00",
                 f"business_hours-{weekday}-0-end": "12:00", f"business_hours-{weekday}-1-start": "13:00",
                 f"business_hours-{weekday}-1-end": "18:00"}

    response = staff(acme, "manager").post(url, form(**week))

    assert response.status_code == 302
    with schema_context("acme"):
        hours = CompanyProfile.objects.get().business_hours
    assert hours == {str(day): [["08:00", "12:00"], ["13:00", "18:00"]] for day in range(5)}


def test_the_grid_shows_the_saved_hours_and_no_json(acme):
    html = staff(acme, "manager").get(profile_page(acme)).content.decode()

    assert 'name="business_hours-0-0-start"' in html and 'value="08:00"' in html
    assert 'name="business_hours-6-closed"' in html and "Copiar segunda para terça a sexta" in html
    assert '[["08:00"' not in html and "&quot;0&quot;" not in html


def test_overlapping_opening_hours_are_refused_in_portuguese(acme):
    url = profile_page(acme)

    response = staff(acme, "manager").post(url, form(**{
        "business_hours-0-closed": None, "business_hours-0-0-start": "08:00", "business_hours-0-0-end": "12:00",
        "business_hours-0-1-start": "11:30", "business_hours-0-1-end": "18:00"}))

    assert response.status_code == 200
    assert "Segunda: os intervalos 08:00–12:00 e 11:30–18:00 se sobrepõem." in response.content.decode()
    with schema_context("acme"):
        assert CompanyProfile.objects.get().business_hours == {"0": [["08:00", "18:00"]]}


def test_a_viewer_reads_the_hours_in_words(acme):
    html = staff(acme, "viewer").get(profile_page(acme)).content.decode()

    assert "segunda, das 8h às 18h" in html and "business_hours-0-0-start" not in html
