"""Re-encrypt every stored secret with the newest key of FERNET_KEYS (see secretaria/crypto.py)."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from secretaria.crypto import rotate
from tenants.models import Company

# (table, primary key column, encrypted columns) in each company's schema.
ENCRYPTED = [
    ("conversations_channel", "id", ["access_token", "inbound_secret"]),
    ("conversations_llmconfig", "id", ["api_key"]),
]


class Command(BaseCommand):
    help = "Recriptografa os segredos guardados com a chave mais nova de FERNET_KEYS."

    def handle(self, *args, **options):
        total = 0
        for company in Company.objects.exclude(schema_name="public"):
            with tenant_context(company):
                total += _rotate_schema()
        self.stdout.write(f"{total} segredos recriptografados")


@transaction.atomic
def _rotate_schema() -> int:
    count = 0
    with connection.cursor() as cursor:
        for table, pk, columns in ENCRYPTED:
            cursor.execute(f"SELECT {pk}, {', '.join(columns)} FROM {table} FOR UPDATE")  # noqa: S608 - fixed names
            for row in cursor.fetchall():
                values = [rotate(v) if v else v for v in row[1:]]
                assignments = ", ".join(f"{column} = %s" for column in columns)
                cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", [*values, row[0]])  # noqa: S608
                count += sum(1 for v in row[1:] if v)
    return count
