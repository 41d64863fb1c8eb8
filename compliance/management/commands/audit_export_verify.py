"""manage.py audit_export_verify FILE: check a signed audit export offline.

Checks the Ed25519 signature (against this platform's public keys, or the one given with
--public-key), the numbering and links of the entries and, with this server's HMAC keys,
each entry's seal. Needs no database. Exits 1 when the export does not verify.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.audit.export import export_verify
from compliance.audit.keys import audit_public_keys, hmac_keys


class Command(BaseCommand):
    help = "Verifica offline uma exportação assinada da trilha de auditoria."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--public-key", help="Chave pública Ed25519 (base64) a confiar, em vez das da plataforma.")
        parser.add_argument("--without-hmac", action="store_true",
                            help="Não verificar os selos HMAC (como faria um terceiro, sem a chave secreta).")

    def handle(self, *args, file: Path, public_key: str | None, without_hmac: bool, **options):
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Não foi possível ler {file}: {exc}") from exc
        trusted = {public_key} if public_key else set(audit_public_keys().values())
        verdict = export_verify(document, trusted_public_keys=trusted,
                                hmac_keys=None if without_hmac else hmac_keys())
        self.stdout.write(json.dumps(verdict.as_dict(), ensure_ascii=False))
        if not verdict.ok:
            raise CommandError(f"Exportação NÃO confere: {verdict.reason}")
        self.stdout.write(self.style.SUCCESS(f"Exportação íntegra: {verdict.checked} entradas verificadas."))
