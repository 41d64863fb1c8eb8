"""`manage.py redis_footprint [--company SCHEMA ...] [--keys] [--json]`: Redis memory per company.

Prints the count of companies, the mean and the largest bytes per company, the keys and the keys without
a TTL (there should be none: docs/fleet-state.md). `--keys` lists each company's largest keys.
"""

import json

from django.core.management.base import BaseCommand
from django_tenants.utils import get_public_schema_name, get_tenant_model

from secretaria.observability.redis_footprint import (
    CompanyFootprint,
    company_key_patterns,
    fleet_redis_footprint,
)
from secretaria.redis_client import get_redis

GOAL_BYTES = 10 * 1024  # an idle company (issue 14)


class Command(BaseCommand):
    help = "Mostra quanta memória do Redis cada empresa ocupa (média, máximo, chaves e chaves sem TTL)."

    def add_arguments(self, parser):
        parser.add_argument("--company", action="append", default=[],
                            help="Schema de uma empresa (repetível); padrão: todas.")
        parser.add_argument("--keys", action="store_true", help="Lista as maiores chaves de cada empresa.")
        parser.add_argument("--json", dest="as_json", action="store_true",
                            help="Saída em JSON, para scripts e benchmarks.")

    def handle(self, *args, company: list[str], keys: bool, as_json: bool, **opts):
        schemas = company or self._all_schemas()
        fleet = fleet_redis_footprint(schemas)
        if as_json:
            self._json(fleet)
            return
        largest = fleet.max
        self.stdout.write(f"empresas: {fleet.count}")
        self.stdout.write(f"chaves: {fleet.total_keys} (sem TTL: {len(fleet.without_ttl)})")
        self.stdout.write(f"bytes por empresa: média {fleet.mean_bytes:,.0f}, "
                          f"máximo {largest.bytes if largest else 0:,} ({largest.schema if largest else '-'})")
        self.stdout.write(f"total: {fleet.total_bytes:,} bytes (meta por empresa ociosa: {GOAL_BYTES:,})")
        for key in fleet.without_ttl:
            self.stdout.write(f"sem TTL: {key}")
        if keys:
            for footprint in sorted(fleet.companies, key=lambda c: -c.bytes):
                self._keys(footprint)

    def _all_schemas(self) -> list[str]:
        # The tenant model by setting (TENANT_MODEL), not by import: this app sits below `tenants`.
        return list(get_tenant_model().objects.exclude(schema_name=get_public_schema_name())
                    .order_by("schema_name").values_list("schema_name", flat=True))

    def _keys(self, footprint: CompanyFootprint, limit: int = 20) -> None:
        client = get_redis()
        found = [key for pattern in company_key_patterns(footprint.schema) for key in client.scan_iter(match=pattern)]
        sized = sorted(((client.memory_usage(key, samples=0) or 0, client.ttl(key), key.decode()) for key in found),
                       reverse=True)
        self.stdout.write(f"{footprint.schema}: {footprint.bytes:,} bytes em {footprint.keys} chaves")
        for size, ttl, key in sized[:limit]:
            self.stdout.write(f"  {size:>8,}  ttl {ttl:>8}  {key}")

    def _json(self, fleet) -> None:
        largest = fleet.max
        self.stdout.write(json.dumps({
            "companies": fleet.count,
            "keys": fleet.total_keys,
            "total_bytes": fleet.total_bytes,
            "mean_bytes": round(fleet.mean_bytes, 1),
            "max_bytes": largest.bytes if largest else 0,
            "max_company": largest.schema if largest else None,
            "without_ttl": fleet.without_ttl,
            "per_company": {c.schema: {"keys": c.keys, "bytes": c.bytes} for c in fleet.companies},
        }))
