"""`manage.py analytics_backfill --from 2026-01-01 --to 2026-03-31 [--company acme]`: compute the daily and
weekly reports of a range for every active company (or one), in each company's schema and time zone.

Idempotent: a day already computed is replaced. A company whose reports another worker is computing
right now is skipped and named (run again afterwards).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from analytics.reports.selectors import range_check
from analytics.reports.services import ReportBusy, reports_compute_range
from tenants.models import Company
from tenants.selectors import company_list_active, schemas_existing


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Data inválida: {text!r} (use AAAA-MM-DD).") from exc


class Command(BaseCommand):
    help = "Calcula os relatórios diários e semanais de um período, para todas as empresas ou uma."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, type=_date, help="Primeiro dia (AAAA-MM-DD).")
        parser.add_argument("--to", dest="date_to", required=True, type=_date, help="Último dia, inclusive.")
        parser.add_argument("--company", help="Identificador (slug) de uma empresa; padrão: todas as ativas.")

    def handle(self, *args, date_from: date, date_to: date, company: str | None = None, **opts):
        try:
            range_check(date_from=date_from, date_to=date_to)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        existing = schemas_existing()
        for target in self._companies(company):
            if target.schema_name not in existing:
                continue
            with schema_context(target.schema_name):
                try:
                    days = reports_compute_range(date_from=date_from, date_to=date_to)
                except ReportBusy:
                    self.stderr.write(f"{target.slug}: em cálculo por outro processo; ignorada")
                    continue
            self.stdout.write(f"{target.slug}: {days} dias calculados")

    def _companies(self, slug: str | None) -> list[Company]:
        if slug is None:
            return company_list_active()
        found = Company.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"Empresa não encontrada: {slug}")
        return [found]
