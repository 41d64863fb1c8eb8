"""The chain itself, as pure functions over plain rows (dicts): sealing and checking.

A row is what an entry is made of, as stored in the table and in archive segments:
seq, created_at (ISO 8601 text), actor, action, target, data, key, prev_hash, key_id, hash.
Its seal (`hash`) is HMAC-SHA256, under the key named by `key_id`, of the canonical JSON
of everything else: editing any field, renumbering it, moving it (prev_hash) or
recomputing the chain without the key (plain SHA-256, another key) breaks it.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

ROW_FIELDS = ("seq", "created_at", "actor", "action", "target", "data", "key", "prev_hash", "key_id", "hash")


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_seal(row: dict, key: bytes) -> str:
    body = {name: row[name] for name in ROW_FIELDS if name != "hash"}
    return hmac.new(key, canonical(["secretaria-audit/1", body]), hashlib.sha256).hexdigest()


def segment_seal(*, first_seq: int, last_seq: int, first_prev_hash: str, last_hash: str,
                 rows: list[dict], key: bytes) -> str:
    body = {"first_seq": first_seq, "last_seq": last_seq, "first_prev_hash": first_prev_hash,
            "last_hash": last_hash, "rows_sha256": hashlib.sha256(canonical(rows)).hexdigest()}
    return hmac.new(key, canonical(["secretaria-audit-segment/1", body]), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AuditVerdict:
    """What the verifier found: `reason` (pt-BR, for the staff) says why it is not ok."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""
    head_seq: int | None = None
    archived: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


class ChainWalk:
    """Checks rows one after the other from seq 1; `problem` holds the first break found."""

    def __init__(self, keys: dict[str, bytes] | None, *, first_seq: int = 1, prev_hash: str = ""):
        self.keys = keys  # None: links and numbering only (an export checked without the HMAC keys)
        self.next_seq = first_seq
        self.prev_hash = prev_hash
        self.checked = 0
        self.problem: tuple[int, str] | None = None

    def rows(self, rows: Iterable[dict]) -> bool:
        """Feed rows in seq order; False (and `problem` set) at the first bad one."""
        for row in rows:
            problem = self._row_problem(row)
            if problem is not None:
                self.problem = problem
                return False
            self.checked += 1
            self.next_seq += 1
            self.prev_hash = row["hash"]
        return True

    def _row_problem(self, row: dict) -> tuple[int, str] | None:
        expected = self.next_seq
        if row["seq"] > expected:
            missing = f"nº {expected}" if row["seq"] == expected + 1 else f"nº {expected} a {row['seq'] - 1}"
            return expected, f"Lacuna na sequência: falta a entrada {missing} (removida)."
        if row["seq"] < expected:
            return row["seq"], f"Entrada nº {row['seq']} repetida ou fora de ordem."
        if row["prev_hash"] != self.prev_hash:
            return expected, (f"Encadeamento rompido na entrada nº {expected}: ela não aponta para a anterior "
                              "(entradas removidas, inseridas ou fora de ordem).")
        if self.keys is None:
            return None
        key = self.keys.get(row["key_id"])
        if key is None:
            return expected, f"Entrada nº {expected} selada com uma chave desconhecida ({row['key_id'] or 'nenhuma'})."
        if not hmac.compare_digest(row["hash"], entry_seal(row, key)):
            return expected, (f"Entrada nº {expected} alterada: o selo não confere "
                              "(conteúdo editado ou cadeia recalculada sem a chave).")
        return None

    def verdict(self, **extra) -> AuditVerdict:
        if self.problem is None:
            return AuditVerdict(ok=True, checked=self.checked, **extra)
        seq, reason = self.problem
        return AuditVerdict(ok=False, checked=self.checked, first_bad_seq=seq, reason=reason, **extra)

    def fail(self, seq: int, reason: str) -> None:
        self.problem = (seq, reason)
