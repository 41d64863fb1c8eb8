"""Signed exports of a range of the trail, and their offline verification.

An export is one JSON document: the entries (every field, seals included), the range, the
company and the head at export time, and an Ed25519 signature over all of it (canonical
JSON, without the `signature` member). Anyone with the public key (`GET
/api/compliance/audit/public-keys`) checks the signature and the links between entries;
whoever also holds the HMAC keys (`manage.py audit_export_verify` on the server) checks each
entry's seal too.
"""

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from compliance.audit.chain import AuditVerdict, ChainWalk, canonical
from compliance.audit.keys import public_key_b64, signing_key

FORMAT = "secretaria.audit-export/1"


def export_sign(payload: dict, *, key_id: str) -> dict:
    signature = signing_key(key_id).sign(canonical(payload))
    return {**payload, "signature": {"alg": "Ed25519", "key_id": key_id, "public_key": public_key_b64(key_id),
                                     "value": base64.b64encode(signature).decode()}}


def export_verify(document: dict, *, trusted_public_keys: set[str], hmac_keys: dict[str, bytes] | None = None
                  ) -> AuditVerdict:
    """Check an export's signature (by one of `trusted_public_keys`) and its entries' chain."""
    try:
        payload = {name: value for name, value in document.items() if name != "signature"}
        signature = document["signature"]
        entries = payload["entries"]
        if payload.get("format") != FORMAT or signature.get("alg") != "Ed25519":
            return _bad("Formato de exportação desconhecido.")
        if signature["public_key"] not in trusted_public_keys:
            return _bad("A exportação foi assinada por uma chave pública que não é a da plataforma.")
        public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(signature["public_key"]))
        public_key.verify(base64.b64decode(signature["value"]), canonical(payload))
    except (KeyError, TypeError, AttributeError, ValueError, binascii.Error):
        return _bad("Exportação malformada.")
    except InvalidSignature:
        return _bad("A assinatura não confere: a exportação foi alterada depois de gerada.")
    return _entries_verdict(payload, entries, hmac_keys)


def _entries_verdict(payload: dict, entries: list[dict], hmac_keys: dict[str, bytes] | None) -> AuditVerdict:
    expected = payload["to_seq"] - payload["from_seq"] + 1 if entries else 0
    walk = ChainWalk(hmac_keys, first_seq=payload["from_seq"],
                     prev_hash=entries[0]["prev_hash"] if entries else "")
    if walk.rows(entries) and len(entries) != expected:
        walk.fail(payload["from_seq"] + len(entries), "A exportação não traz todas as entradas do intervalo.")
    return walk.verdict(head_seq=(payload.get("head") or {}).get("seq"))


def _bad(reason: str) -> AuditVerdict:
    return AuditVerdict(ok=False, checked=0, reason=reason)
