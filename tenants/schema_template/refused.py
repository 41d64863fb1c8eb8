"""What the DDL generator does not reproduce, and refuses rather than leave out.

A Django project's migrations create none of it today. If one ever does, generating the template's
DDL fails with the objects named (the deploy's `schema_template_refresh` first, then provisioning),
rather than new companies silently lacking them.
"""

import re


class SchemaDDLUnsupported(Exception):
    """The schema holds objects this generator does not reproduce."""


UNSUPPORTED_SQL = """
SELECT 'relation ' || relname || ' of kind ' || relkind::text FROM pg_class
 WHERE relnamespace = %(ns)s AND relkind NOT IN ('r', 'S', 'i', 'v')
UNION ALL SELECT 'row level security, replica identity or privileges on ' || relname FROM pg_class
 WHERE relnamespace = %(ns)s AND (relrowsecurity OR relforcerowsecurity OR relacl IS NOT NULL
                                  OR (relkind = 'r' AND relreplident <> 'd'))
UNION ALL SELECT 'inheritance of ' || c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE c.relnamespace = %(ns)s
UNION ALL SELECT 'rule ' || r.rulename FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
 WHERE c.relnamespace = %(ns)s AND r.rulename <> '_RETURN'
UNION ALL SELECT 'policy ' || p.polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
 WHERE c.relnamespace = %(ns)s
UNION ALL SELECT 'statistics object ' || stxname FROM pg_statistic_ext WHERE stxnamespace = %(ns)s
UNION ALL SELECT 'type ' || t.typname FROM pg_type t
 WHERE t.typnamespace = %(ns)s AND t.typrelid = 0
   AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem AND e.typrelid <> 0)
UNION ALL SELECT 'routine ' || proname || CASE WHEN prokind IN ('f', 'p') THEN ' with privileges'
                                               ELSE ' of kind ' || prokind::text END FROM pg_proc
 WHERE pronamespace = %(ns)s AND (prokind NOT IN ('f', 'p') OR proacl IS NOT NULL)
UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extnamespace = %(ns)s
UNION ALL SELECT 'collation ' || collname FROM pg_collation WHERE collnamespace = %(ns)s
UNION ALL SELECT 'operator ' || oprname FROM pg_operator WHERE oprnamespace = %(ns)s
UNION ALL SELECT 'operator family ' || opfname FROM pg_opfamily WHERE opfnamespace = %(ns)s
UNION ALL SELECT 'conversion ' || conname FROM pg_conversion WHERE connamespace = %(ns)s
UNION ALL SELECT 'text search configuration ' || cfgname FROM pg_ts_config WHERE cfgnamespace = %(ns)s
UNION ALL SELECT 'text search dictionary ' || dictname FROM pg_ts_dict WHERE dictnamespace = %(ns)s
UNION ALL SELECT 'default privileges' FROM pg_default_acl WHERE defaclnamespace = %(ns)s
UNION ALL SELECT 'invalid index ' || c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relnamespace = %(ns)s AND NOT i.indisvalid
UNION ALL SELECT 'constraint ' || conname || ' of kind ' || contype::text FROM pg_constraint
 WHERE connamespace = %(ns)s AND (conrelid = 0 OR contype NOT IN ('p', 'u', 'x', 'c', 'f', 'n', 't'))
UNION ALL SELECT 'column ' || c.relname || '.' || a.attname || ' with a compression, statistics target or options'
 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = %(ns)s AND a.attnum > 0 AND NOT a.attisdropped
   AND (a.attcompression <> '' OR a.attacl IS NOT NULL
        -- pg_attver: set by some server builds on every column they create, never by us
        OR EXISTS (SELECT 1 FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\\_attver=%%')
        OR (a.attstattarget IS NOT NULL AND a.attstattarget >= 0))
UNION ALL SELECT 'column default on view ' || c.relname FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
 WHERE c.relnamespace = %(ns)s AND c.relkind <> 'r'
UNION ALL SELECT 'comment on ' || d.classoid::regclass::text FROM pg_description d
 WHERE d.classoid <> 'pg_class'::regclass AND (
       (d.classoid = 'pg_proc'::regclass AND d.objoid IN (SELECT oid FROM pg_proc WHERE pronamespace = %(ns)s))
    OR (d.classoid = 'pg_constraint'::regclass
        AND d.objoid IN (SELECT oid FROM pg_constraint WHERE connamespace = %(ns)s))
    OR (d.classoid = 'pg_trigger'::regclass AND d.objoid IN (
            SELECT g.oid FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE c.relnamespace = %(ns)s)))
"""


def refuse_unsupported(cursor, namespace: int) -> None:
    cursor.execute(UNSUPPORTED_SQL, {"ns": namespace})
    found = sorted(row[0] for row in cursor.fetchall())
    if found:
        more = f" (and {len(found) - 10} more)" if len(found) > 10 else ""
        raise SchemaDDLUnsupported("the schema holds what its DDL would not reproduce: "
                                   + "; ".join(found[:10]) + more)


def refuse_source_mentions(statements: list[str], source: str, *, marker: str) -> None:
    """A definition that still names the source (a function's `SET search_path`, a body that
    qualifies its tables) would make every copy point back at it: refuse rather than guess."""
    mention = re.compile(rf"(?<![\w$]){re.escape(source)}(?![\w$])")
    for statement in statements:
        if not statement.startswith(marker) and mention.search(statement):
            raise SchemaDDLUnsupported(f"a definition names the source schema {source!r}: {statement[:200]}")
