"""The audit trail as an attacker with database access would try it: every quiet rewrite is caught.

Tampering bypasses the trigger as a superuser would (`session_replication_role = replica`);
the verifier must still name the first bad entry and say why, in pt-BR.
"""

import base64
import hashlib
import hmac
import json
import time
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django_tenants.utils import schema_context

from compliance.audit.chain import canonical, entry_seal
from compliance.models import AuditArchiveSegment, AuditEvent
from compliance.selectors import audit_chain_verify, audit_head
from compliance.services import AuditChainBroken, audit_archive_segment, audit_event_record
from tenants.models import AuditHead
from tests.factories import CompanyFactory


@pytest.fixture
def trail(acme):
    """acme's trail with six more entries; yields their numbers (the test runs in acme's schema)."""
    with schema_context("acme"):
        events = [audit_event_record(action="test.entry", actor="owner@acme.test", target=f"t{i}", data={"i": i})
                  for i in range(6)]
        yield [event.seq for event in events]


@contextmanager
def bypassing_the_trigger():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield connection.cursor()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return "append-only" in str(exc)
    return False


def plain_sha256(row: dict) -> str:
    body = {name: row[name] for name in row if name != "hash"}
    return hashlib.sha256(canonical(["secretaria-audit/1", body])).hexdigest()


def rechain_from(seq: int, seal) -> None:
    """Recompute every seal from `seq` on with `seal(row)`, and the head too (as an attacker would)."""
    from compliance.audit.selectors import row_of

    with bypassing_the_trigger() as cursor:
        prev = AuditEvent.objects.filter(seq=seq - 1).values_list("hash", flat=True).first() or ""
        for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
            row = {**row_of(event), "prev_hash": prev}
            row["hash"] = seal(row)
            cursor.execute("UPDATE compliance_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s",
                           [prev, row["hash"], event.seq])
            prev = row["hash"]
        AuditHead.objects.filter(company__schema_name="acme").update(hash=prev)


# --- an intact trail ---------------------------------------------------------------------------


def test_an_intact_trail_verifies_from_its_first_entry_to_its_head(trail):
    verdict = audit_chain_verify()

    assert verdict.ok, verdict.reason
    assert verdict.checked == trail[-1] == verdict.head_seq
    assert verdict.first_bad_seq is None and verdict.reason == ""


def test_entries_are_numbered_without_gaps_and_the_head_in_public_follows(trail):
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))

    assert seqs == list(range(1, len(seqs) + 1))
    assert trail == seqs[-6:]
    assert audit_head() == (trail[-1], AuditEvent.objects.get(seq=trail[-1]).hash)


def test_a_keyed_record_is_written_once(trail):
    first = audit_event_record(action="lgpd.export", actor="owner@acme.test", key="lgpd.export:1")
    again = audit_event_record(action="lgpd.export", actor="owner@acme.test", key="lgpd.export:1")

    assert again.pk == first.pk and first.seq == trail[-1] + 1


# --- the database refuses rewrites -------------------------------------------------------------


def test_postgresql_refuses_update_delete_and_truncate_on_the_trail(trail):
    assert refused("UPDATE compliance_auditevent SET actor = 'outra pessoa' WHERE seq = %s", [trail[0]])
    assert refused("DELETE FROM compliance_auditevent WHERE seq = %s", [trail[-1]])
    assert refused("TRUNCATE compliance_auditevent")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=trail[0]).update(actor="outra pessoa")
    assert audit_chain_verify().ok


def test_postgresql_refuses_changes_to_archive_segments(trail):
    segment = audit_archive_segment(up_to_seq=trail[2])

    assert refused("UPDATE compliance_auditarchivesegment SET rows = '[]' WHERE id = %s", [segment.pk])
    assert refused("DELETE FROM compliance_auditarchivesegment WHERE id = %s", [segment.pk])
    assert refused("TRUNCATE compliance_auditarchivesegment")


def test_the_archive_setting_does_not_allow_updates(trail):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL compliance.audit_archive = 'on'")
    try:
        assert refused("UPDATE compliance_auditevent SET actor = 'x' WHERE seq = %s", [trail[0]])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL compliance.audit_archive = 'off'")


def test_a_new_company_cloned_from_the_template_has_the_trigger_and_a_verified_trail(
        db, unique, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        company = CompanyFactory(slug=f"clone-{unique}", domain=f"clone-{unique}.localhost")

    with schema_context(company.schema_name):
        assert AuditEvent.objects.filter(action="company.provisioned").exists()
        first = AuditEvent.objects.order_by("seq").first()
        assert first.seq == 1 and first.prev_hash == ""
        assert audit_chain_verify().ok
        assert refused("DELETE FROM compliance_auditevent WHERE seq = 1")


# --- what the verifier catches -----------------------------------------------------------------


def test_an_edited_entry_is_caught(trail):
    with bypassing_the_trigger():
        AuditEvent.objects.filter(seq=trail[2]).update(data={"i": 99})

    verdict = audit_chain_verify()

    assert not verdict.ok and verdict.first_bad_seq == trail[2]
    assert "alterada" in verdict.reason


def test_a_deleted_middle_entry_is_caught(trail):
    with bypassing_the_trigger():
        AuditEvent.objects.filter(seq=trail[3]).delete()

    verdict = audit_chain_verify()

    assert not verdict.ok and verdict.first_bad_seq == trail[3]
    assert "Lacuna" in verdict.reason


def test_a_deleted_newest_entry_is_caught_by_the_head_kept_in_public(trail):
    with bypassing_the_trigger():
        AuditEvent.objects.filter(seq=trail[-1]).delete()

    verdict = audit_chain_verify()

    assert not verdict.ok and verdict.first_bad_seq == trail[-1]
    assert "termina antes do topo" in verdict.reason


def test_an_entry_appended_after_the_newest_was_deleted_does_not_hide_it(trail):
    with bypassing_the_trigger():
        AuditEvent.objects.filter(seq=trail[-1]).delete()

    after = audit_event_record(action="test.after")
    verdict = audit_chain_verify()

    assert after.seq == trail[-1] + 1  # the head, not the table, numbers the next entry
    assert not verdict.ok and verdict.first_bad_seq == trail[-1]


def test_a_chain_recomputed_with_plain_sha256_is_caught(trail):
    with bypassing_the_trigger():
        AuditEvent.objects.filter(seq=trail[2]).update(data={"i": 99})
    rechain_from(trail[2], plain_sha256)

    verdict = audit_chain_verify()

    assert not verdict.ok and verdict.first_bad_seq == trail[2]
    assert "recalculada sem a chave" in verdict.reason


def test_a_chain_recomputed_with_another_key_is_caught(trail):
    with bypassing_the_trigger():
        AuditEvent.objects.filter(seq=trail[2]).update(actor="intruso@acme.test")
    rechain_from(trail[2], lambda row: entry_seal(row, b"a key the attacker made up, 32 b"))

    verdict = audit_chain_verify()

    assert not verdict.ok and verdict.first_bad_seq == trail[2]


def test_an_entry_sealed_with_an_unknown_key_id_is_caught(trail):
    with bypassing_the_trigger():
        AuditEvent.objects.filter(seq=trail[-1]).update(key_id="k9")

    verdict = audit_chain_verify()

    assert not verdict.ok and verdict.first_bad_seq == trail[-1] and "chave desconhecida" in verdict.reason


def test_a_reorder_is_caught(trail):
    a, b = trail[1], trail[2]
    with bypassing_the_trigger() as cursor:
        cursor.execute("UPDATE compliance_auditevent SET seq = 0 WHERE seq = %s", [a])
        cursor.execute("UPDATE compliance_auditevent SET seq = %s WHERE seq = %s", [a, b])
        cursor.execute("UPDATE compliance_auditevent SET seq = %s WHERE seq = 0", [b])

    verdict = audit_chain_verify()

    assert not verdict.ok and verdict.first_bad_seq == a
    assert "fora de ordem" in verdict.reason


def test_a_gap_in_the_numbering_is_caught(trail):
    last = trail[-1]
    with bypassing_the_trigger():
        AuditEvent.objects.filter(seq=last).update(seq=last + 1)
        AuditHead.objects.filter(company__schema_name="acme").update(seq=last + 1)

    verdict = audit_chain_verify()

    assert not verdict.ok and verdict.first_bad_seq == last and "Lacuna" in verdict.reason


def test_entries_written_around_the_service_are_caught(trail):
    with bypassing_the_trigger() as cursor:
        cursor.execute("INSERT INTO compliance_auditevent (seq, created_at, actor, action, target, data, prev_hash, "
                       "key_id, hash) SELECT seq + 1, now(), '', 'forjada', '', '{}', hash, key_id, md5(hash) "
                       "FROM compliance_auditevent WHERE seq = %s", [trail[-1]])

    verdict = audit_chain_verify()

    assert not verdict.ok and verdict.first_bad_seq == trail[-1] + 1


def test_a_missing_head_is_caught(trail):
    AuditHead.objects.filter(company__schema_name="acme").delete()

    verdict = audit_chain_verify()

    assert not verdict.ok and "topo" in verdict.reason


# --- keys ---------------------------------------------------------------------------------------

K1 = "k1:" + base64.b64encode(b"1" * 32).decode()
K2 = "k2:" + base64.b64encode(b"2" * 32).decode()


def test_after_a_key_rotation_old_entries_verify_with_their_own_key(trail):
    with override_settings(AUDIT_HMAC_KEYS=[K1]):
        old = audit_event_record(action="test.k1")
    with override_settings(AUDIT_HMAC_KEYS=[K2, K1]):
        new = audit_event_record(action="test.k2")
        verdict = audit_chain_verify()

    assert (old.key_id, new.key_id) == ("k1", "k2")
    assert verdict.ok, verdict.reason
    with override_settings(AUDIT_HMAC_KEYS=[K2]):  # k1 dropped too early
        dropped = audit_chain_verify()
    assert not dropped.ok and dropped.first_bad_seq == old.seq and "chave desconhecida" in dropped.reason


def test_the_seal_is_an_hmac_under_the_current_key(trail):
    with override_settings(AUDIT_HMAC_KEYS=[K1]):
        event = audit_event_record(action="test.hmac", data={"a": 1})
    from compliance.audit.selectors import row_of

    row = row_of(event)
    body = {name: row[name] for name in row if name != "hash"}
    assert event.hash == hmac.new(b"1" * 32, canonical(["secretaria-audit/1", body]), hashlib.sha256).hexdigest()


# --- archive ------------------------------------------------------------------------------------


def test_an_archived_segment_keeps_the_trail_verifiable(trail):
    before = audit_chain_verify()
    segment = audit_archive_segment(up_to_seq=trail[2])
    after = audit_chain_verify()

    assert segment.first_seq == 1 and segment.last_seq == trail[2]
    assert not AuditEvent.objects.filter(seq__lte=trail[2]).exists()
    assert [row["seq"] for row in segment.rows] == list(range(1, trail[2] + 1))
    assert after.ok, after.reason
    assert after.checked == before.checked + 1  # the "audit.archived" entry
    assert after.archived == trail[2]
    assert AuditEvent.objects.order_by("-seq").first().action == "audit.archived"


def test_archiving_twice_continues_the_chain_across_segments(trail):
    audit_archive_segment(up_to_seq=trail[1])
    audit_archive_segment(up_to_seq=trail[4])
    audit_event_record(action="test.after-archives")

    verdict = audit_chain_verify()

    assert verdict.ok, verdict.reason
    assert AuditArchiveSegment.objects.count() == 2
    assert verdict.archived == trail[4]


def test_a_tampered_archive_segment_is_caught(trail):
    segment = audit_archive_segment(up_to_seq=trail[2])
    rows = segment.rows
    rows[-1]["data"] = {"i": 99}
    with bypassing_the_trigger():
        AuditArchiveSegment.objects.filter(pk=segment.pk).update(rows=rows)

    verdict = audit_chain_verify()

    assert not verdict.ok and verdict.first_bad_seq == 1 and "Segmento arquivado" in verdict.reason


def test_a_broken_trail_is_not_archived(trail):
    with bypassing_the_trigger():
        AuditEvent.objects.filter(seq=trail[1]).update(target="outro")

    with pytest.raises(AuditChainBroken):
        audit_archive_segment(up_to_seq=trail[3])
    assert not AuditArchiveSegment.objects.exists()


# --- the migration from the plain SHA-256 chain ------------------------------------------------


def test_the_migration_renumbers_and_reseals_entries_of_the_old_chain(trail):
    from importlib import import_module

    reseal = import_module("compliance.migrations.0002_audit_chain").reseal
    with bypassing_the_trigger() as cursor:  # as 0001 left them: plain SHA-256, no key, ids out of seq order
        cursor.execute("UPDATE compliance_auditevent SET seq = seq + 1000, key_id = '', hash = md5(hash)")
        AuditHead.objects.filter(company__schema_name="acme").delete()
        assert not audit_chain_verify().ok
        reseal(apps, SimpleNamespace(connection=connection))

    verdict = audit_chain_verify()

    assert verdict.ok, verdict.reason
    assert verdict.head_seq == AuditEvent.objects.count()


# --- figures ------------------------------------------------------------------------------------


def test_ten_thousand_entries_verify_in_well_under_a_few_seconds(trail, capsys):
    rows = [audit_event_record(action="test.bulk", actor="owner@acme.test", data={"n": n}) for n in range(200)]
    started = time.perf_counter()
    verdict = audit_chain_verify()
    seconds = time.perf_counter() - started

    assert verdict.ok and verdict.checked >= len(rows)
    per_entry = seconds / verdict.checked
    with capsys.disabled():
        print(f"\naudit verify: {verdict.checked} entries in {seconds:.3f}s "
              f"(~{per_entry * 10_000:.2f}s per 10,000)")
    assert per_entry * 10_000 < 5
    assert json.dumps(verdict.as_dict())
