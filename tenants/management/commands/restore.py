from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tenants.backups.manifest import NAME as MANIFEST_NAME
from tenants.backups.manifest import BackupCorrupt, manifest_verify
from tenants.backups.restore import RestoreFailed, RestoreRefused, RestoreReport, company_restore, database_restore
from tenants.backups.services import company_backup_folder


class Command(BaseCommand):
    help = ("Restaura um backup (docs/backups.md). O de uma empresa substitui só essa empresa no sistema em "
            "funcionamento; o do banco inteiro vai para um banco novo ou vazio (--into-database). As somas de "
            "verificação são conferidas antes; contagens e hashes de cada tabela, depois.")

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", help="a pasta do backup (a que tem manifest.json)")
        parser.add_argument("--company", metavar="SLUG", help="o backup mais recente desta empresa em BACKUP_DIR")
        parser.add_argument("--into-database", metavar="NOME", help="backup do banco inteiro: o banco de destino")
        parser.add_argument("--check", action="store_true", help="só confere as somas de verificação")
        parser.add_argument("--yes", action="store_true", help="não pede confirmação")

    def handle(self, *args, **opts):
        folder = self._folder(opts)
        try:
            manifest = manifest_verify(folder)
        except BackupCorrupt as exc:
            raise CommandError(f"backup recusado: {exc}") from exc
        self.stdout.write(f"somas de verificação ok: {len(manifest.files)} arquivo(s) em {folder}")
        if opts["check"]:
            return
        try:
            if manifest.scope == "database":
                if not opts["into_database"]:
                    raise CommandError("backup do banco inteiro: diga o banco de destino com --into-database")
                report = database_restore(folder=folder, dbname=opts["into_database"])
            else:
                self._confirm(manifest.company["slug"], opts["yes"])
                report = company_restore(folder=folder)
        except (RestoreRefused, RestoreFailed, BackupCorrupt) as exc:
            raise CommandError(f"restauração recusada: {exc}") from exc
        self._report(report)

    def _folder(self, opts) -> Path:
        if opts["folder"]:
            return Path(opts["folder"])
        if not opts["company"]:
            raise CommandError("diga a pasta do backup, ou --company SLUG para o mais recente da empresa")
        parent = company_backup_folder(opts["company"])
        found = sorted((p for p in parent.glob("*") if (p / MANIFEST_NAME).is_file()), reverse=True)
        if not found:
            raise CommandError(f"nenhum backup da empresa {opts['company']!r} em {parent}")
        return found[0]

    def _confirm(self, slug: str, yes: bool) -> None:
        if yes:
            return
        answer = input(f"Isto substitui TODOS os dados da empresa {slug!r} pelos do backup. "
                       f"Digite o identificador da empresa para confirmar: ")
        if answer.strip() != slug:
            raise CommandError("cancelado: nada foi alterado")

    def _report(self, report: RestoreReport) -> None:
        self.stdout.write(f"restaurado ({report.scope}: {report.target}) em {report.seconds:.1f} s; "
                          f"{report.tables} tabelas comparadas com o manifesto")
        if report.ok:
            self.stdout.write("contagens e hashes conferem com o backup")
            return
        for problem in report.problems:
            self.stdout.write(f"  diferente: {problem}")
        raise CommandError(f"{len(report.problems)} tabela(s) diferem do backup")
