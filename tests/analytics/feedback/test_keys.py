"""Integration keys: an owner or manager creates one (the secret shown once, only its SHA-256 kept), lists
and revokes them, in the API and the admin; other roles neither see nor touch them; the audit trail
records who created and revoked which."""

import hashlib

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from analytics.feedback.models import FeedbackKey
from compliance.models import AuditEvent
from tests.accounts.conftest import admin_client
from tests.analytics.feedback.conftest import caller, review
from tests.conftest import member

KEYS = "/api/feedback/keys"


def test_an_owner_creates_a_key_and_sees_its_secret_only_once(acme, api, paula,
                                                                django_capture_on_commit_callbacks):
    client = api(acme, "owner")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(KEYS, {"name": "  CRM da clínica "}, format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    secret = created["secret"]
    assert secret.startswith("fbk_") and len(secret) == 47 and created["prefix"] == secret[:12]
    assert (created["name"], created["active"], created["created_by"]) == ("CRM da clínica", True, "owner@acme.test")
    listed = client.get(KEYS).json()
    assert listed["count"] == 1 and "secret" not in listed["results"][0]
    with schema_context("acme"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT prefix, digest FROM analytics_feedbackkey")
            rows = cursor.fetchall()
        assert AuditEvent.objects.filter(action="analytics.feedback_key_created",
                                         target=f"feedback_key:{created['id']}").exists()
    assert rows == [(secret[:12], hashlib.sha256(secret.encode()).hexdigest())]  # never the secret itself
    assert caller(acme, secret).ingest(**review()).status_code == 201


def test_a_manager_revokes_a_key_and_it_stops_working(acme, api, paula, django_capture_on_commit_callbacks):
    client = api(acme, "manager")
    created = client.post(KEYS, {"name": "Pesquisa"}, format="json").json()

    with django_capture_on_commit_callbacks(execute=True):
        revoked = client.delete(f"{KEYS}/{created['id']}")
    again = client.delete(f"{KEYS}/{created['id']}")

    assert (revoked.status_code, again.status_code) == (204, 204)
    listed = client.get(KEYS).json()["results"][0]
    assert listed["active"] is False and listed["revoked_at"] is not None
    assert caller(acme, created["secret"]).ingest(**review()).status_code == 401
    with schema_context("acme"):
        assert AuditEvent.objects.filter(action="analytics.feedback_key_revoked").count() == 1


def test_a_key_needs_a_name_and_an_unknown_one_is_not_found(acme, api):
    client = api(acme, "owner")

    assert client.post(KEYS, {"name": "   "}, format="json").status_code == 400
    assert client.post(KEYS, {}, format="json").status_code == 400
    assert client.delete(f"{KEYS}/987654").json() == {"detail": "Chave não encontrada."}


def test_a_company_has_at_most_the_configured_number_of_active_keys(acme, api, settings):
    settings.FEEDBACK_MAX_KEYS = 2
    client = api(acme, "owner")
    first = client.post(KEYS, {"name": "A"}, format="json").json()
    client.post(KEYS, {"name": "B"}, format="json")

    refused = client.post(KEYS, {"name": "C"}, format="json")
    client.delete(f"{KEYS}/{first['id']}")
    after_revoking = client.post(KEYS, {"name": "C"}, format="json")

    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": [
        "Limite de 2 chaves ativas por empresa; revogue uma que não use mais."]}
    assert after_revoking.status_code == 201


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_viewers_and_operators_neither_see_nor_create_keys(acme, api, role):
    client = api(acme, role)

    assert client.get(KEYS).status_code == 403
    assert client.post(KEYS, {"name": "X"}, format="json").status_code == 403


def test_another_companys_key_is_not_found(acme, globex, api):
    created = api(acme, "owner").post(KEYS, {"name": "CRM"}, format="json").json()

    assert api(globex, "owner").delete(f"{KEYS}/{created['id']}").status_code == 404
    with schema_context("acme"):
        assert FeedbackKey.objects.get(pk=created["id"]).revoked_at is None


# --- the admin -----------------------------------------------------------------------------------------

def test_the_admin_creates_a_key_and_shows_its_secret_once(acme):
    browser = admin_client(acme, member(acme, "manager"))

    response = browser.post("/admin/analytics/feedbackkey/add/", {"name": "Google"}, follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    with schema_context("acme"):
        key = FeedbackKey.objects.get()
    [shown] = [m.message for m in response.context["messages"] if "aparece só agora" in m.message]
    secret = shown.rsplit(": ", 1)[1]
    assert key.digest == hashlib.sha256(secret.encode()).hexdigest() and key.created_by == "manager@acme.test"
    assert browser.get(f"/admin/analytics/feedbackkey/{key.pk}/change/").content.decode().count(secret) == 0
    assert secret not in browser.get("/admin/analytics/feedbackkey/").content.decode()
    assert "Ativa" in text


def test_the_admin_revokes_selected_keys(acme):
    browser = admin_client(acme, member(acme, "owner"))
    browser.post("/admin/analytics/feedbackkey/add/", {"name": "CRM"})
    with schema_context("acme"):
        key = FeedbackKey.objects.get()

    browser.post("/admin/analytics/feedbackkey/", {"action": "revoke", "_selected_action": [key.pk]})

    with schema_context("acme"):
        key.refresh_from_db()
    assert key.revoked_at is not None


def test_operators_do_not_see_the_keys_in_the_admin(acme):
    browser = admin_client(acme, member(acme, "operator"))

    assert browser.get("/admin/analytics/feedbackkey/").status_code == 403
