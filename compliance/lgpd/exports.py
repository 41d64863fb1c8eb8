"""The access/portability export: one zip per request (dados.json + one CSV per table), kept in a private
storage and handed out through a signed link valid for 24 hours.

The files live under .data/lgpd-exports/<schema>/ (never under a served path); the link carries a
`TimestampSigner` token naming the schema and the request, so it opens only that company's file, only
on its host, and only until it expires. Files older than the link are removed by the nightly retention run.
"""

import csv
import io
import json
import secrets
import zipfile
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.urls import reverse
from django.utils import timezone

LINK_VALID = timedelta(hours=24)
_SALT = "secretaria.lgpd.export"


@cache
def export_storage() -> FileSystemStorage:
    # No base_url: nothing here is ever served by the static or media machinery, only by the signed view.
    return FileSystemStorage(location=settings.BASE_DIR / ".data" / "lgpd-exports", base_url=None)


def zip_build(data: dict[str, list[dict]]) -> bytes:
    """dados.json with every table, and <table>.csv for each (JSON-valued cells written as JSON)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dados.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        for table, rows in data.items():
            archive.writestr(f"{table}.csv", _csv(rows))
        archive.writestr("LEIA-ME.txt", README)
    return buffer.getvalue()


README = ("Cópia dos seus dados pessoais guardados por esta empresa (LGPD, art. 18, II e V).\n"
          "dados.json traz tudo em um arquivo; cada .csv é uma das tabelas, para abrir em uma planilha.\n")


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    columns = list(dict.fromkeys(key for row in rows for key in row))
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


def _cell(value):
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if value is None:
        return ""
    return DjangoJSONEncoder().default(value) if not isinstance(value, str | int | float | bool) else value


def export_save(*, request_id: int, content: bytes) -> str:
    """Store the zip under an unguessable name; returns the storage name."""
    name = f"{connection.schema_name}/{request_id}-{secrets.token_hex(8)}.zip"
    return export_storage().save(name, ContentFile(content))


def export_open(name: str):
    return export_storage().open(name, "rb")


def export_delete(name: str) -> None:
    if name:
        export_storage().delete(name)


def download_token(*, request_id: int) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(f"{connection.schema_name}.{request_id}")


def download_token_read(token: str) -> int | None:
    """The request id a token was signed for, if it is this company's and younger than 24 h."""
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=LINK_VALID)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    schema, _, request_id = value.rpartition(".")
    if schema != connection.schema_name or not request_id.isdigit():
        return None
    return int(request_id)


def download_path(*, request_id: int) -> str:
    return reverse("compliance-export-download", kwargs={"token": download_token(request_id=request_id)})


def download_url(*, request_id: int, host: str) -> str:
    """The absolute link for a customer (WhatsApp): the company's host, https outside DEBUG."""
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{host}{download_path(request_id=request_id)}"


def link_expires_at(finished_at):
    """A link opens the file for 24 hours after the export was built, however often it is asked for."""
    return finished_at + LINK_VALID if finished_at else None


def link_valid(finished_at) -> bool:
    expires = link_expires_at(finished_at)
    return expires is not None and timezone.now() < expires
