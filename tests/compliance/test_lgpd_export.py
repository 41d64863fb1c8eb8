"""Access / portability: a zip with dados.json and one CSV per table, behind a signed 24-hour link, for
owners and managers only."""

import csv
import io
import json
import zipfile
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from compliance.lgpd.models import DataRequest
from compliance.models import AuditEvent
from conversations.models import Contact
from tests.conftest import host_of


def export_of(api, company, phone: str, capture) -> dict:
    with capture(execute=True):
        created = api(company, "owner").post("/api/compliance/exports", {"phone": phone}, format="json")
    assert created.status_code == 202, created.content
    status = api(company, "owner").get(f"/api/compliance/exports/{created.json()['id']}")
    assert status.status_code == 200
    return status.json()


def download(company, url: str):
    return Client(HTTP_HOST=host_of(company)).get(url.split(host_of(company), 1)[-1])


def unzip(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: archive.read(name) for name in archive.namelist()}


def test_an_owner_exports_everything_about_a_customer_as_json_and_csvs(customer, acme, api, eager,
                                                                        django_capture_on_commit_callbacks):
    export = export_of(api, acme, customer.phone, django_capture_on_commit_callbacks)

    assert export["status"] == "done" and export["download_url"]
    response = download(acme, export["download_url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    files = unzip(response)
    data = json.loads(files["dados.json"])
    assert data["contato"][0]["phone"] == customer.phone and data["contato"][0]["name"] == customer.name
    texts = [m["text"] for m in data["mensagens"]]
    assert all(text in texts for text in customer.texts)
    assert len(data["agendamentos"]) == 3 and data["followups_e_avaliacoes"][0]["score"] == 9
    assert data["lembretes"] and data["eventos_de_agendamento"] and data["chamadas_de_ia"]
    assert {"consentimentos", "pedidos_lgpd", "auditoria", "lista_de_espera"} <= set(data)
    rows = list(csv.DictReader(io.StringIO(files["mensagens.csv"].decode())))
    assert {row["text"] for row in rows} >= set(customer.texts)
    assert set(f"{table}.csv" for table in data) <= set(files)
    with schema_context("acme"):
        assert AuditEvent.objects.filter(action="lgpd.export", actor="owner@acme.test").exists()
        assert customer.phone not in json.dumps(list(AuditEvent.objects.values("target", "data")))


def test_the_link_stops_working_after_24_hours_and_cannot_be_forged(customer, acme, api, eager, time_machine,
                                                                     django_capture_on_commit_callbacks):
    export = export_of(api, acme, customer.phone, django_capture_on_commit_callbacks)
    url = export["download_url"]

    assert download(acme, url[:-3] + "abc").status_code == 404  # a tampered signature
    time_machine.move_to(timezone.now() + timedelta(hours=24, minutes=1), tick=False)
    assert download(acme, url).status_code == 404
    later = api(acme, "owner").get(f"/api/compliance/exports/{export['id']}").json()
    assert later["download_url"] == ""


def test_another_companys_link_opens_nothing(customer, acme, globex, api, eager, django_capture_on_commit_callbacks):
    export = export_of(api, acme, customer.phone, django_capture_on_commit_callbacks)
    path = export["download_url"].split(host_of(acme), 1)[-1]

    assert Client(HTTP_HOST=host_of(globex)).get(path).status_code == 404


def test_viewers_and_operators_cannot_export(customer, acme, api):
    for role in ("viewer", "operator"):
        assert api(acme, role).post("/api/compliance/exports", {"phone": customer.phone},
                                    format="json").status_code == 403
    with schema_context("acme"):
        request = DataRequest.objects.create(kind="access", requested_by="x", channel="api", phone_hash="h")
    assert api(acme, "viewer").get(f"/api/compliance/exports/{request.pk}").status_code == 403
    assert api(acme, "manager").get(f"/api/compliance/exports/{request.pk}").status_code == 200


def test_the_admin_action_on_a_contact_asks_for_an_export(customer, acme, eager, django_capture_on_commit_callbacks):
    from tests.compliance.test_lgpd_erasure import _admin_browser

    browser = _admin_browser(acme, "manager")
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/admin/conversations/contact/", {
            "action": "lgpd_export", "_selected_action": [customer.contact.pk]})

    assert response.status_code == 302
    with schema_context("acme"):
        export = DataRequest.objects.get(kind="access", channel="admin")
        assert (export.status, export.requested_by, export.contact_id) == ("done", "manager@acme.test",
                                                                          customer.contact.pk)
        assert Contact.objects.get(pk=customer.contact.pk).erased_at is None
