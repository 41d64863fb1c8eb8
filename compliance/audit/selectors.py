"""Reads on the audit trail: its tail, its entries (archived or live) and their verification."""

from collections.abc import Iterator

from django.db import connection

from compliance.audit.chain import ROW_FIELDS, AuditVerdict, ChainWalk, segment_seal
from compliance.audit.keys import hmac_keys
from compliance.audit.models import AuditArchiveSegment, AuditEvent
from tenants.models import AuditHead

CHUNK = 2000


def row_of(event: AuditEvent | dict) -> dict:
    """An entry as the seal covers it (and as archive segments and exports keep it)."""
    values = event if isinstance(event, dict) else {name: getattr(event, name) for name in ROW_FIELDS}
    return {**values, "created_at": values["created_at"].isoformat()}


def audit_head() -> tuple[int, str] | None:
    """The company's head as kept in `public`: (latest seq, its seal), or None if never written."""
    return AuditHead.objects.filter(company__schema_name=connection.schema_name).values_list("seq", "hash").first()


def audit_tail() -> tuple[int, str]:
    """Where the next entry chains on: (seq, seal) of the newest entry, (0, "") for none.

    The head in `public` decides, not the table: after someone deletes the newest rows, the
    next entry still takes the next number, and the hole stays visible to the verifier.
    """
    head = audit_head()
    if head is not None:
        return head
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    if last is None:
        last = AuditArchiveSegment.objects.order_by("-last_seq").values_list("last_seq", "last_hash").first()
    return last or (0, "")


def audit_rows(*, from_seq: int = 1, to_seq: int | None = None) -> Iterator[dict]:
    """Every entry from `from_seq` to `to_seq`, from the archive segments then the live table."""
    segments = AuditArchiveSegment.objects.filter(last_seq__gte=from_seq).order_by("first_seq")
    if to_seq is not None:
        segments = segments.filter(first_seq__lte=to_seq)
    for segment in segments.iterator(chunk_size=10):
        yield from (row for row in segment.rows if row["seq"] >= from_seq and (to_seq is None or row["seq"] <= to_seq))
    live = AuditEvent.objects.filter(seq__gte=from_seq).order_by("seq")
    if to_seq is not None:
        live = live.filter(seq__lte=to_seq)
    for values in live.values(*ROW_FIELDS).iterator(chunk_size=CHUNK):
        yield row_of(values)


def audit_chain_verify(*, up_to_seq: int | None = None) -> AuditVerdict:
    """Check the whole trail, archive segments included, against its keys and its head.

    Detects an edited entry, a deleted one (middle: a gap; newest: shorter than the head), a
    chain recomputed without the key, a reorder, and a tampered archive segment.
    """
    walk = ChainWalk(hmac_keys())
    archived = 0
    for segment in AuditArchiveSegment.objects.order_by("first_seq").iterator(chunk_size=10):
        if up_to_seq is not None and segment.first_seq > up_to_seq:
            break
        if not (_segment_sealed(segment, walk) and walk.rows(segment.rows)):
            return walk.verdict(archived=archived)
        archived += len(segment.rows)
    live = AuditEvent.objects.order_by("seq")
    if up_to_seq is not None:
        live = live.filter(seq__lte=up_to_seq)
    if not walk.rows(row_of(values) for values in live.values(*ROW_FIELDS).iterator(chunk_size=CHUNK)):
        return walk.verdict(archived=archived)
    head = audit_head()
    if up_to_seq is None:
        _head_check(walk, head)
    return walk.verdict(archived=archived, head_seq=head[0] if head else None)


def _segment_sealed(segment: AuditArchiveSegment, walk: ChainWalk) -> bool:
    key = walk.keys.get(segment.key_id)
    rows = segment.rows or []
    sealed = key is not None and segment.mac == segment_seal(
        first_seq=segment.first_seq, last_seq=segment.last_seq, first_prev_hash=segment.first_prev_hash,
        last_hash=segment.last_hash, rows=rows, key=key)
    bounds = bool(rows) and (rows[0]["seq"], rows[0]["prev_hash"], rows[-1]["seq"], rows[-1]["hash"]) == (
        segment.first_seq, segment.first_prev_hash, segment.last_seq, segment.last_hash)
    if not (sealed and bounds):
        walk.fail(segment.first_seq, f"Segmento arquivado nº {segment.first_seq}–{segment.last_seq} alterado: "
                                     "o selo do segmento não confere.")
    return sealed and bounds


def _head_check(walk: ChainWalk, head: tuple[int, str] | None) -> None:
    last_seq = walk.next_seq - 1
    if head is None:
        if last_seq:
            walk.fail(1, "O topo da trilha, guardado fora do esquema da empresa, está ausente.")
        return
    head_seq, head_hash = head
    if head_seq > last_seq:
        missing = f"nº {head_seq}" if head_seq == last_seq + 1 else f"nº {last_seq + 1} a {head_seq}"
        walk.fail(last_seq + 1, f"A trilha termina antes do topo registrado: falta a entrada {missing} (removida).")
    elif head_seq < last_seq:
        walk.fail(head_seq + 1, f"Há entradas depois do topo registrado (nº {head_seq}): gravadas por fora do sistema.")
    elif head_hash != walk.prev_hash:
        walk.fail(head_seq, f"A entrada nº {head_seq} não é a registrada no topo da trilha (substituída).")

