import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from secretaria.errors import Conflict
from tenants.services import company_provision


class Command(BaseCommand):
    help = "Provisiona uma empresa: esquema, domínio, assinatura e conta do proprietário."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--domain", required=True)
        parser.add_argument("--plan", default="free")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-password", required=True)

    def handle(self, *args, **opts):
        try:
            result = company_provision(
                name=opts["name"], slug=opts["slug"], domain=opts["domain"], plan=opts["plan"],
                owner_email=opts["owner_email"], owner_password=opts["owner_password"],
            )
        except ValidationError as exc:
            raise CommandError(json.dumps(exc.message_dict, ensure_ascii=False)) from exc
        except Conflict as exc:
            raise CommandError(f"conflito: {exc.message}") from exc
        self.stdout.write(json.dumps({
            "company_id": result.company.id,
            "schema_name": result.company.schema_name,
            "domain": result.domain.domain,
            "access": result.access,
            "refresh": result.refresh,
            "seconds": round(result.seconds, 3),
            "schema_seconds": round(result.schema_seconds, 3),
            "hash_seconds": round(result.hash_seconds, 3),  # beside the schema, not after it
        }))
