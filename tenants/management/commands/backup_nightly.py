import signal
import threading
from datetime import UTC, datetime

import structlog
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from tenants.backups.services import nightly_next, nightly_run

log = structlog.get_logger(__name__)


class Command(BaseCommand):
    help = ("Backups noturnos, sem parar (o serviço `backup` do docker-compose): todo dia às BACKUP_NIGHTLY_AT "
            "(UTC) o banco inteiro, cada empresa ativa e a retenção. --once: uma vez agora, e sai.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="faz uma rodada agora e sai")

    def handle(self, *args, **opts):
        if opts["once"]:
            return self._run()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        while not stop.is_set():
            due = nightly_next(now=datetime.now(UTC))
            self.stdout.write(f"próximo backup: {due:%Y-%m-%d %H:%M} UTC")
            if stop.wait((due - datetime.now(UTC)).total_seconds()):
                break
            self._run()

    def _run(self) -> None:
        close_old_connections()  # a night apart: the server may have closed the last one
        summary = nightly_run()
        log.info("backup_nightly_done", **summary)
        self.stdout.write(f"backup noturno: banco {summary['database'] or 'FALHOU'}, {summary['companies']} "
                          f"empresa(s), {len(summary['failed'])} falha(s), {summary['pruned']} apagado(s)")
        close_old_connections()
