"""The deploy's company step (deploy/entrypoint.sh): django-tenants' parallel executor, over the schemas
that lag only.

`migrate_schemas --tenant` visits every schema, and a visit costs the migration loader, the model
states and Django's post_migrate (content types, permissions) even when there is nothing to apply:
at 1,000 schemas a deploy without a company migration would spend minutes doing nothing. The lag
check (tenants/migration_state.py: markers, else one query per MIGRATION_LAG_BATCH schemas) says
which schemas miss a migration; only those are handed to the executor, MIGRATE_PROCESSES at a time.
A schema that has every app's latest migration has all of their ancestors too (Django refuses an
inconsistent history), so nothing is skipped that had work to do.
"""

from django.core.management.base import BaseCommand, CommandError
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor

from tenants.migration_state import lag_summary, migration_lag, migration_markers_record
from tenants.selectors import schemas_existing


class Command(BaseCommand):
    help = ("Migra, em paralelo (processos), só os esquemas de empresas atrasados em relação às migrações do "
            "código; depois verifica e marca todos.")

    def add_arguments(self, parser):
        parser.add_argument("--executor", default="multiprocessing", help="executor do django-tenants")

    def handle(self, *args, **opts):
        existing = schemas_existing()  # a company row without its schema is reported, not migrated
        lagging = [s for s in migration_lag(max_age=0).lagging if s in existing]
        if lagging:
            self.stdout.write(f"{len(lagging)} esquemas a migrar")
            get_executor(codename=opts["executor"])(args=(), options=self._migrate_options(opts)) \
                .run_migrations(tenants=lagging)
        lag = migration_markers_record()
        if lag.lagging:
            raise CommandError(lag_summary(lag, shown=50))
        self.stdout.write(f"{lag.checked} esquemas em dia com as migrações do código")

    def _migrate_options(self, opts) -> dict:
        """What `migrate_schemas --tenant --noinput` would hand the executor (its parser's defaults)."""
        parser = MigrateSchemasCommand().create_parser("manage.py", "migrate_schemas")
        options = vars(parser.parse_args(["--tenant", "--noinput", f"--executor={opts['executor']}"]))
        options["verbosity"] = opts["verbosity"]
        return options
