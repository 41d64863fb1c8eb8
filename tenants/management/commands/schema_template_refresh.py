"""`manage.py schema_template_refresh`: the deploy runs it after `migrate_schemas` (docs/fleet-provisioning.md)."""

from django.core.management.base import BaseCommand

from tenants.services import schema_template_refresh


def _yes_no(value: bool) -> str:
    return "sim" if value else "não"


class Command(BaseCommand):
    help = (
        "Migra o modelo de esquema se estiver atrás do código e gera de novo o DDL de que as novas "
        "empresas são criadas, quando as migrações do modelo mudaram. Pode ser executado várias vezes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="gera o DDL mesmo que já exista um para o estado atual das migrações")

    def handle(self, *args, **opts):
        result = schema_template_refresh(force=opts["force"])
        self.stdout.write(
            f"modelo de esquema: estado {result.state[:12]}, criado: {_yes_no(result.created)}, "
            f"migrado: {_yes_no(result.migrated)}, DDL gerado: {_yes_no(result.generated)}, "
            f"estados antigos removidos: {result.pruned}, {result.seconds:.2f} s"
        )
