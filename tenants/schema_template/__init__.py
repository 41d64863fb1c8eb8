"""New companies' schemas replayed from the template's DDL, in constant time (docs/fleet-provisioning.md).

- `ddl`: reads a schema's objects from `pg_catalog` once and writes the statements that recreate
  them under any name (rows and sequence values are copied from the source when replayed);
- `cache`: the template's migration state and the DDL stored for it (`public`, and per process);
- `replay`: creates a schema from that DDL in the caller's transaction, in one round trip.

The services that use them (company_schema_create, schema_template_refresh) are in tenants/services.py.
"""

from tenants.schema_template.cache import (
    TemplateState,
    process_copy_forget,
    schema_template_ddl,
    schema_template_prune,
    template_state,
)
from tenants.schema_template.ddl import SchemaDDL, schema_ddl_generate
from tenants.schema_template.refused import SchemaDDLUnsupported
from tenants.schema_template.replay import schema_ddl_replay

__all__ = [
    "SchemaDDL", "SchemaDDLUnsupported", "TemplateState", "process_copy_forget", "schema_ddl_generate",
    "schema_ddl_replay", "schema_template_ddl", "schema_template_prune", "template_state",
]
