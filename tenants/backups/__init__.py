"""Backups and restore: the whole database, and one company alone (docs/backups.md).

    services.py   take a backup (pg_dump from an exported snapshot), record it, prune old ones
    restore.py    restore one company into the running system, or the whole database into an empty one
    graph.py      which public rows belong to a company (from Django's model graph)
    manifest.py   the manifest: files' sha256, tables' row counts and content hashes
    selectors.py  table fingerprints, the records, the backup age
    postgres.py   pg_dump / pg_restore / psql and the connection parameters
    metrics.py    secretaria_backup_last_success_timestamp_seconds{scope}
"""
