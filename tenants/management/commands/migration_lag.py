"""Which schemas lag behind the code's migrations (tenants/migration_state.py).

`--mark` is the migrate step's last act (deploy/entrypoint.sh): every schema is verified from its
django_migrations and the up-to-date ones are marked, which keeps /readyz's check to one query.
Exits 1 when a schema lags.
"""

from django.core.management.base import BaseCommand, CommandError

from tenants.migration_state import lag_summary, migration_lag, migration_markers_record


class Command(BaseCommand):
    help = ("Lista os esquemas atrasados em relação às migrações do código; com --mark, verifica todos "
            "e marca os que estão em dia (último passo da migração).")

    def add_arguments(self, parser):
        parser.add_argument("--mark", action="store_true", help="verifica e marca cada esquema em dia")

    def handle(self, *args, **opts):
        lag = migration_markers_record() if opts["mark"] else migration_lag(max_age=0)
        if lag.lagging:
            raise CommandError(lag_summary(lag, shown=50))
        self.stdout.write(f"{lag.checked} esquemas em dia com as migrações do código")
