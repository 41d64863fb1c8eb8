"""The deploy's second step (deploy/entrypoint.sh): the template schema, before any company's.

Companies provisioned while the others migrate are made from the template, so it must hold the
new migrations first; `schema_template_refresh` then renews its cached DDL.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.models import TEMPLATE_SCHEMA
from tenants.services import template_schema_ensure


class Command(BaseCommand):
    help = "Cria (na primeira vez) ou migra o esquema-modelo, antes dos esquemas das empresas."

    def handle(self, *args, **opts):
        if template_schema_ensure():  # created and migrated
            self.stdout.write("modelo de esquema criado")
            return
        call_command("migrate_schemas", schema_name=TEMPLATE_SCHEMA, interactive=False,
                     verbosity=opts["verbosity"])
