"""The deploy's company step (deploy/entrypoint.sh): only the schemas that lag, by the fast path when it can.

`migrate_schemas --tenant` visits every schema, and a visit costs the migration loader, the model
states and Django's post_migrate (content types, permissions) even when there is nothing to apply.
The lag check (tenants/migration_state.py: markers, else one query per MIGRATION_LAG_BATCH schemas)
says which schemas miss a migration. Those are grouped by their applied migrations; a group whose
plan is SQL only has that SQL collected once and replayed in each schema, one transaction each
(tenants/migration_replay.py); any other group goes to django-tenants' executor, MIGRATE_PROCESSES at
a time, as before. `--standard` sends every group there. Then every schema is verified and marked.
"""

from django.core.management.base import BaseCommand, CommandError
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor

from tenants.migration_replay import (
    ReplayGroup,
    plan_replay,
    post_migrate_expected,
    replay_plan_build,
    schemas_group_by_applied,
    template_post_migrate_missing,
)
from tenants.migration_state import lag_summary, migration_lag, migration_markers_record, schema_rows
from tenants.models import TEMPLATE_SCHEMA
from tenants.selectors import schemas_existing

PROGRESS_EVERY = 100


class Command(BaseCommand):
    help = ("Migra só os esquemas de empresas atrasados em relação às migrações do código: pelo caminho rápido "
            "(o SQL do plano coletado uma vez e repetido em cada esquema) quando o plano é só SQL, senão pelo "
            "executor do django-tenants; depois verifica e marca todos.")

    def add_arguments(self, parser):
        parser.add_argument("--executor", default="multiprocessing", help="executor do django-tenants")
        parser.add_argument("--standard", action="store_true",
                            help="sem o caminho rápido: todos os esquemas pelo executor do django-tenants")

    def handle(self, *args, **opts):
        existing = schemas_existing()  # a company row without its schema is reported, not migrated
        lagging = [s for s in migration_lag(max_age=0).lagging if s in existing]
        failed: dict[str, str] = {}
        if lagging:
            self.stdout.write(f"{len(lagging)} esquemas a migrar")
            standard = self._fast_path(lagging, failed) if not opts["standard"] else lagging
            if standard:
                self.stdout.write(f"{len(standard)} esquemas pelo executor padrão ({opts['executor']})")
                get_executor(codename=opts["executor"])(args=(), options=self._migrate_options(opts)) \
                    .run_migrations(tenants=standard)
        lag = migration_markers_record()
        if failed or lag.lagging:
            named = "; ".join(f"{schema}: {error}" for schema, error in sorted(failed.items())[:50])
            raise CommandError(f"{len(failed)} esquemas falharam ({named}). {lag_summary(lag, shown=50)}"
                               if failed else lag_summary(lag, shown=50))
        self.stdout.write(f"{lag.checked} esquemas em dia com as migrações do código")

    def _fast_path(self, lagging: list[str], failed: dict[str, str]) -> list[str]:
        """Replay the groups whose plan is SQL only; the schemas left for the standard executor."""
        has_table = {row.schema for row in schema_rows() if row.has_table}
        # The template is the copy's source: it goes by the standard path (migrate_template does it first).
        with_table = [s for s in lagging if s != TEMPLATE_SCHEMA and s in has_table]
        standard = [s for s in lagging if s not in with_table]
        expected = post_migrate_expected()
        missing = template_post_migrate_missing(expected)
        if missing:  # the template was not migrated by the standard path just before: nothing to copy from
            self.stdout.write(f"caminho rápido impossível: o modelo não tem {len(missing)} tipos de conteúdo "
                              f"ou permissões (ex.: {missing[0]}); rode migrate_template antes")
            return lagging
        for group in schemas_group_by_applied(with_table):
            group.plan = replay_plan_build(schema=group.schemas[0])
            if group.plan.refusal or not group.plan.statements:
                reason = group.plan.refusal or "plano sem SQL"
                self.stdout.write(f"grupo de {len(group.schemas)} esquemas pelo executor padrão: {reason}")
                standard += group.schemas
                continue
            self._replay(group, failed)
        return standard

    def _replay(self, group: ReplayGroup, failed: dict[str, str]) -> None:
        plan = group.plan
        self.stdout.write(f"grupo de {len(group.schemas)} esquemas pelo caminho rápido: {len(plan.migrations)} "
                          f"migrações, {len(plan.statements)} comandos SQL "
                          f"({', '.join(f'{app}.{name}' for app, name in plan.migrations[:5])}"
                          f"{', ...' if len(plan.migrations) > 5 else ''})")

        def progress(schema, result):
            if schema in result.failed:
                self.stderr.write(f"esquema {schema} falhou (nada aplicado nele): {result.failed[schema]}")
            done = len(result.replayed) + len(result.failed)
            if done % PROGRESS_EVERY == 0:
                self.stdout.write(f"  {done} de {len(group.schemas)}")

        result = plan_replay(plan=plan, schemas=group.schemas, on_schema=progress)
        failed.update(result.failed)
        per_schema = result.seconds / len(group.schemas)
        self.stdout.write(f"  {len(result.replayed)} migrados, {len(result.failed)} com falha, "
                          f"{result.seconds:.1f} s ({per_schema:.3f} s por esquema)")

    def _migrate_options(self, opts) -> dict:
        """What `migrate_schemas --tenant --noinput` would hand the executor (its parser's defaults)."""
        parser = MigrateSchemasCommand().create_parser("manage.py", "migrate_schemas")
        options = vars(parser.parse_args(["--tenant", "--noinput", f"--executor={opts['executor']}"]))
        options["verbosity"] = opts["verbosity"]
        return options
