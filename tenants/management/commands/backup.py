from django.core.management.base import BaseCommand, CommandError

from tenants.backups.services import (
    BackupRefused,
    BackupResult,
    backups_prune,
    companies_backup,
    company_backup,
    database_backup,
)
from tenants.models import Company


class Command(BaseCommand):
    help = ("Backup com somas de verificação (docs/backups.md): o banco inteiro (padrão), uma empresa "
            "(--company, repetível) ou todas as empresas ativas (--all-companies); --prune aplica a retenção.")

    def add_arguments(self, parser):
        parser.add_argument("--company", action="append", default=[], metavar="SLUG",
                            help="só esta empresa: o esquema dela e as linhas dela no esquema public")
        parser.add_argument("--all-companies", action="store_true", help="um backup de cada empresa ativa")
        parser.add_argument("--database", action="store_true",
                            help="o banco inteiro (o padrão quando nenhuma empresa é pedida)")
        parser.add_argument("--prune", action="store_true",
                            help="apaga os backups além de BACKUP_KEEP_DAYS (ficam os BACKUP_KEEP_MIN mais novos)")

    def handle(self, *args, **opts):
        whole = opts["database"] or not (opts["company"] or opts["all_companies"] or opts["prune"])
        failed = {}
        if whole:
            self._done(database_backup())
        for slug in opts["company"]:
            company = Company.objects.filter(slug=slug).first()
            if company is None:
                raise CommandError(f"empresa {slug!r} não encontrada")
            try:
                self._done(company_backup(company=company))
            except BackupRefused as exc:
                raise CommandError(str(exc)) from exc
        if opts["all_companies"]:
            done, failed = companies_backup()
            for result in done:
                self._done(result)
        if opts["prune"]:
            for path in backups_prune():
                self.stdout.write(f"apagado (retenção): {path}")
        if failed:
            raise CommandError(f"{len(failed)} empresa(s) sem backup: {', '.join(sorted(failed))}")

    def _done(self, result: BackupResult) -> None:
        who = result.record.slug or "banco inteiro"
        self.stdout.write(f"backup ok ({who}): {result.path} — {result.record.size_bytes} bytes, "
                          f"{len(result.manifest.tables)} tabelas, {result.seconds:.1f} s")
