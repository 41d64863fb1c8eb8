"""GET /api/compliance/audit/verify, /export and /public-keys; the export verified offline."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from compliance.audit.chain import canonical
from compliance.audit.export import export_verify
from compliance.audit.keys import audit_public_keys, hmac_keys
from compliance.models import AuditEvent
from compliance.services import audit_event_record
from tests.compliance.test_audit_chain import bypassing_the_trigger

VERIFY = "/api/compliance/audit/verify"
EXPORT = "/api/compliance/audit/export"
KEYS = "/api/compliance/audit/public-keys"


@pytest.fixture
def entries(acme):
    with schema_context("acme"):
        return [audit_event_record(action="test.api", actor="owner@acme.test", data={"n": n}).seq for n in range(4)]


def trusted() -> set[str]:
    return set(audit_public_keys().values())


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_verify_the_trail(api, acme, entries, role):
    response = api(acme, role).get(VERIFY)

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["reason"] == "" and body["first_bad_seq"] is None
    assert body["checked"] == body["head_seq"] >= entries[-1]


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operator_and_viewer_cannot_verify_nor_export(api, acme, role):
    client = api(acme, role)

    assert client.get(VERIFY).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_anonymous_cannot_verify(api, acme):
    assert api(acme).get(VERIFY).status_code == 401


def test_a_broken_trail_is_reported_with_the_first_bad_entry(api, acme, entries):
    with schema_context("acme"), bypassing_the_trigger():
        AuditEvent.objects.filter(seq=entries[1]).update(actor="intruso")

    body = api(acme, "owner").get(VERIFY).json()

    assert body["ok"] is False and body["first_bad_seq"] == entries[1] and "alterada" in body["reason"]


def test_an_export_is_signed_and_verifies_with_the_published_key(api, acme, entries):
    response = api(acme, "manager").get(EXPORT, {"from_seq": entries[0], "to_seq": entries[-1]})

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = response.json()
    assert [e["seq"] for e in document["entries"]] == entries
    assert document["company"] == "acme" and document["signature"]["alg"] == "Ed25519"
    published = api(acme).get(KEYS).json()
    assert document["signature"]["public_key"] == next(k["public_key"] for k in published["keys"]
                                                       if k["key_id"] == published["current"])
    # A third party (no HMAC key) and the server (with it) both accept it.
    assert export_verify(document, trusted_public_keys=trusted()).ok
    assert export_verify(document, trusted_public_keys=trusted(), hmac_keys=hmac_keys()).ok


def test_the_export_is_itself_an_audit_entry(api, acme, entries):
    api(acme, "owner").get(EXPORT, {"from_seq": entries[0]})

    with schema_context("acme"):
        event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "audit.exported" and event.actor == "owner@acme.test"
    assert event.data["from_seq"] == entries[0]


def test_an_export_edited_afterwards_fails_verification(api, acme, entries):
    document = api(acme, "owner").get(EXPORT, {"from_seq": entries[0], "to_seq": entries[-1]}).json()

    edited = json.loads(json.dumps(document))
    edited["entries"][1]["actor"] = "outra pessoa"
    verdict = export_verify(edited, trusted_public_keys=trusted())
    assert not verdict.ok and "assinatura não confere" in verdict.reason

    dropped = json.loads(json.dumps(document))
    del dropped["entries"][2]
    assert not export_verify(dropped, trusted_public_keys=trusted()).ok


def test_an_export_resigned_with_another_key_is_refused(api, acme, entries):
    document = api(acme, "owner").get(EXPORT, {"from_seq": entries[0]}).json()
    document["entries"][0]["actor"] = "outra pessoa"
    forger = Ed25519PrivateKey.generate()
    payload = {k: v for k, v in document.items() if k != "signature"}
    document["signature"]["public_key"] = base64.b64encode(
        forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    document["signature"]["value"] = base64.b64encode(forger.sign(canonical(payload))).decode()

    verdict = export_verify(document, trusted_public_keys=trusted())
    assert not verdict.ok and "não é a da plataforma" in verdict.reason


def test_the_offline_command_accepts_an_export_and_refuses_a_tampered_one(api, acme, entries, tmp_path, capsys):
    document = api(acme, "owner").get(EXPORT, {"from_seq": entries[0], "to_seq": entries[-1]}).json()
    good = tmp_path / "export.json"
    good.write_text(json.dumps(document))

    call_command("audit_export_verify", str(good))
    assert "íntegra: 4 entradas" in capsys.readouterr().out
    call_command("audit_export_verify", str(good), "--without-hmac",
                 "--public-key", document["signature"]["public_key"])

    document["entries"][0]["data"] = {"n": 42}
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="NÃO confere"):
        call_command("audit_export_verify", str(bad))


@pytest.mark.parametrize("query", [{"from_seq": 0}, {"from_seq": 5, "to_seq": 2}, {"from_seq": 1, "to_seq": 10**9},
                                   {"from_seq": "x"}])
def test_a_range_outside_the_trail_is_a_400(api, acme, entries, query):
    assert api(acme, "owner").get(EXPORT, query).status_code == 400


def test_an_export_holds_only_the_host_companys_entries(api, acme, globex, entries):
    with schema_context("globex"):
        audit_event_record(action="test.globex-only")

    document = api(acme, "owner").get(EXPORT).json()

    assert document["company"] == "acme"
    assert "test.globex-only" not in {e["action"] for e in document["entries"]}


def test_the_public_keys_are_public(api, acme):
    response = api(acme).get(KEYS)

    assert response.status_code == 200
    body = response.json()
    assert body["current"] in {k["key_id"] for k in body["keys"]}
    assert all(k["alg"] == "Ed25519" for k in body["keys"])
