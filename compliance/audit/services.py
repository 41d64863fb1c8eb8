"""Writes on the audit trail: append an entry, archive a verified prefix, record a verdict.

Every write takes the schema's audit lock first: two writers reading the same head would
fork the chain, and an archive racing an append could move a half-written tail.
"""

import json

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from compliance.audit.chain import AuditVerdict, entry_seal, segment_seal
from compliance.audit.export import FORMAT, export_sign
from compliance.audit.keys import current_key_id, hmac_keys
from compliance.audit.models import AuditArchiveSegment, AuditEvent
from compliance.audit.selectors import audit_chain_verify, audit_head, audit_rows, audit_tail, row_of
from tenants.models import AuditHead, Company

EXPORT_MAX_ENTRIES = 50_000


class AuditChainBroken(Exception):
    """The trail does not verify: nothing is archived until someone looks at it."""

    def __init__(self, verdict: AuditVerdict):
        super().__init__(verdict.reason)
        self.verdict = verdict


def _audit_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':audit'))")


def _plain_json(data: dict) -> dict:
    # What jsonb gives back is what the seal must cover: dates, decimals and ids become text now.
    return json.loads(json.dumps(data, default=str))


@transaction.atomic
def audit_event_record(
    *, action: str, actor: str = "", target: str = "", data: dict | None = None, key: str | None = None
) -> AuditEvent:
    """Append an entry to the current company's audit trail (once per `key`, when given).

    Numbered after the newest entry (archived or not), sealed with the current key, and the
    company's head in `public` moved to it in the same transaction.
    """
    _audit_lock()
    if key and (existing := AuditEvent.objects.filter(key=key).first()):
        return existing
    last_seq, last_hash = audit_tail()
    event = AuditEvent(seq=last_seq + 1, created_at=timezone.now(), actor=actor[:254], action=action,
                       target=target[:200], data=_plain_json(data or {}), key=key, prev_hash=last_hash,
                       key_id=current_key_id())
    event.hash = entry_seal(row_of(event), hmac_keys()[event.key_id])
    event.save(force_insert=True)
    _head_move(seq=event.seq, hash=event.hash)
    return event


def _head_move(*, seq: int, hash: str) -> None:
    schema = connection.schema_name
    if not AuditHead.objects.filter(company__schema_name=schema).update(seq=seq, hash=hash,
                                                                          updated_at=timezone.now()):
        AuditHead.objects.create(company=Company.objects.get(schema_name=schema), seq=seq, hash=hash)


@transaction.atomic
def audit_archive_segment(*, up_to_seq: int, actor: str = "system") -> AuditArchiveSegment | None:
    """Move the live entries up to `up_to_seq` into one archive segment, once the whole trail
    up to there verifies; None when there is nothing to move. Raises AuditChainBroken."""
    _audit_lock()
    events = list(AuditEvent.objects.filter(seq__lte=up_to_seq).order_by("seq"))
    if not events:
        return None
    verdict = audit_chain_verify(up_to_seq=events[-1].seq)
    if not verdict.ok:
        raise AuditChainBroken(verdict)
    rows = [row_of(event) for event in events]
    key_id = current_key_id()
    bounds = {"first_seq": rows[0]["seq"], "last_seq": rows[-1]["seq"],
              "first_prev_hash": rows[0]["prev_hash"], "last_hash": rows[-1]["hash"]}
    segment = AuditArchiveSegment.objects.create(
        **bounds, rows=rows, key_id=key_id, mac=segment_seal(**bounds, rows=rows, key=hmac_keys()[key_id]))
    with connection.cursor() as cursor:
        # The trigger lets DELETE through only under this setting, and only for this transaction.
        cursor.execute("SET LOCAL compliance.audit_archive = 'on'")
        AuditEvent.objects.filter(seq__lte=segment.last_seq).delete()
        cursor.execute("SET LOCAL compliance.audit_archive = 'off'")
    audit_event_record(action="audit.archived", actor=actor, target=f"segment:{segment.pk}",
                       data={"first_seq": segment.first_seq, "last_seq": segment.last_seq})
    return segment


def audit_archive_before(*, before, actor: str = "system") -> AuditArchiveSegment | None:
    """Archive every entry older than `before` (retention): a whole prefix of the trail."""
    last = AuditEvent.objects.filter(created_at__lt=before).order_by("-seq").values_list("seq", flat=True).first()
    return None if last is None else audit_archive_segment(up_to_seq=last, actor=actor)


def audit_verdict_record(*, verdict: AuditVerdict) -> None:
    """Keep the verification's verdict: on the company's head (the metrics count failing
    companies from there) and as an entry of the trail itself."""
    AuditHead.objects.filter(company__schema_name=connection.schema_name).update(
        verified_at=timezone.now(), verified_ok=verdict.ok)
    today = timezone.localdate().isoformat()
    if verdict.ok:
        audit_event_record(action="audit.chain_verified", actor="system", data={"checked": verdict.checked},
                           key=f"audit.chain_verified:{today}")
    else:
        audit_event_record(action="audit.chain_broken", actor="system", key=f"audit.chain_broken:{today}",
                           data={"first_bad_seq": verdict.first_bad_seq, "reason": verdict.reason})


def audit_export_create(*, from_seq: int, to_seq: int | None, actor: str) -> dict:
    """A signed export of entries from_seq..to_seq (to the newest when None); the export
    itself is then recorded in the trail. Raises ValidationError for a range outside it."""
    head_seq, head_hash = audit_head() or (0, "")
    to_seq = head_seq if to_seq is None else to_seq
    if from_seq < 1 or to_seq < from_seq or to_seq > head_seq:
        raise ValidationError(f"Intervalo inválido: use de 1 até {head_seq} (a entrada mais recente).")
    if to_seq - from_seq + 1 > EXPORT_MAX_ENTRIES:
        raise ValidationError(f"Intervalo grande demais: exporte no máximo {EXPORT_MAX_ENTRIES} entradas por vez.")
    payload = {"format": FORMAT, "company": connection.schema_name, "from_seq": from_seq, "to_seq": to_seq,
               "exported_at": timezone.now().isoformat(), "head": {"seq": head_seq, "hash": head_hash},
               "entries": list(audit_rows(from_seq=from_seq, to_seq=to_seq))}
    document = export_sign(payload, key_id=current_key_id())
    audit_event_record(action="audit.exported", actor=actor, target=f"seq:{from_seq}-{to_seq}",
                       data={"from_seq": from_seq, "to_seq": to_seq, "entries": len(payload["entries"])})
    return document
