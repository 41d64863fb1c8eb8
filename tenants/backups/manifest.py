"""The manifest written beside every backup: what it holds and how to know it is whole.

`manifest.json` lists each file with its sha256 and size, and each table with its row count and
content hash as they were in the snapshot the dump was taken from. A restore checks the files
first (a corrupt or truncated file is refused before anything is touched), and compares the
tables after. The manifest is written last, into a folder that is renamed into place only then:
a folder with a manifest is a finished backup.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

FORMAT = 1
NAME = "manifest.json"


class BackupCorrupt(Exception):
    """A backup whose files do not match its manifest (or that has no readable manifest)."""


@dataclass
class Manifest:
    scope: str  # "database" | "company"
    created_at: str
    database: str
    server_version: str
    pg_dump_version: str
    files: dict[str, dict] = field(default_factory=dict)  # name -> {"sha256", "bytes"}
    tables: dict[str, dict] = field(default_factory=dict)  # "schema.table" -> {"rows", "md5"}
    company: dict | None = None  # id, slug, schema_name, name, domains
    public_tables: list[dict] = field(default_factory=list)  # table, pk, columns, file (parents first)
    format: int = FORMAT

    def add_file(self, folder: Path, name: str) -> None:
        path = folder / name
        self.files[name] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}

    def write(self, folder: Path) -> str:
        """Write manifest.json; returns its own sha256 (kept in the backup's record)."""
        data = json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False).encode()
        (folder / NAME).write_bytes(data)
        return hashlib.sha256(data).hexdigest()

    @property
    def size_bytes(self) -> int:
        return sum(f["bytes"] for f in self.files.values())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_read(folder: Path) -> Manifest:
    try:
        data = json.loads((folder / NAME).read_text())
        if data.get("format") != FORMAT:
            raise BackupCorrupt(f"{folder / NAME}: formato {data.get('format')!r} desconhecido")
        return Manifest(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise BackupCorrupt(f"{folder / NAME}: manifesto ilegível ({exc})") from exc


def manifest_verify(folder: Path) -> Manifest:
    """The manifest, once every file it lists is present with its size and sha256 (else BackupCorrupt)."""
    manifest = manifest_read(folder)
    if not manifest.files:
        raise BackupCorrupt(f"{folder}: o manifesto não lista nenhum arquivo")
    for name, expected in sorted(manifest.files.items()):
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise BackupCorrupt(f"{folder / NAME}: nome de arquivo fora da pasta do backup: {name!r}")
        path = folder / name
        if not path.is_file():
            raise BackupCorrupt(f"{path}: arquivo ausente")
        if path.stat().st_size != expected["bytes"] or file_sha256(path) != expected["sha256"]:
            raise BackupCorrupt(f"{path}: soma de verificação não confere (arquivo corrompido ou alterado)")
    unlisted = [t["file"] for t in manifest.public_tables if t["file"] not in manifest.files]
    if unlisted:
        raise BackupCorrupt(f"{folder / NAME}: arquivos sem soma de verificação: {unlisted}")
    return manifest
