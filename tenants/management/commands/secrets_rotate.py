"""Re-encrypt every stored secret with the newest key of FERNET_KEYS (see secretaria/crypto.py)."""

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django_tenants.utils import app_labels, tenant_context

from secretaria.crypto import EncryptedTextField, rotate
from tenants.models import PUBLIC_SCHEMA, Company


def encrypted_columns() -> list[tuple[str, str, list[str]]]:
    """(table, primary key column, encrypted columns) of every company-schema model with secrets.

    Found through the app registry, so a new encrypted field anywhere is rotated too.
    """
    tenant_labels = set(app_labels(settings.TENANT_APPS))
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in tenant_labels or model._meta.proxy or not model._meta.managed:
            continue
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if columns:
            found.append((model._meta.db_table, model._meta.pk.column, columns))
    return sorted(found)


class Command(BaseCommand):
    help = "Recriptografa os segredos guardados com a chave mais nova de FERNET_KEYS."

    def handle(self, *args, **options):
        total = 0
        tables = encrypted_columns()
        for company in Company.objects.exclude(schema_name=PUBLIC_SCHEMA):
            with tenant_context(company):
                total += _rotate_schema(tables)
        self.stdout.write(f"{total} segredos recriptografados")


@transaction.atomic
def _rotate_schema(tables: list[tuple[str, str, list[str]]]) -> int:
    count = 0
    with connection.cursor() as cursor:
        for table, pk, columns in tables:
            quoted = ", ".join(f'"{column}"' for column in columns)
            cursor.execute(f'SELECT "{pk}", {quoted} FROM "{table}" FOR UPDATE')  # noqa: S608 - registry names
            for row in cursor.fetchall():
                values = [rotate(v) if v else v for v in row[1:]]
                assignments = ", ".join(f'"{column}" = %s' for column in columns)
                cursor.execute(f'UPDATE "{table}" SET {assignments} WHERE "{pk}" = %s', [*values, row[0]])  # noqa: S608
                count += sum(1 for v in row[1:] if v)
    return count
