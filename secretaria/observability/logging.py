"""Structured JSON logs through structlog, for our code and for the stdlib loggers.

Every line carries the request's correlation id and the company when known
(bound as context variables by the request middleware and the Celery signals),
and passes through the PII-masking processor. Webhook secrets are redacted twice:
from the stdlib records' message and arguments (`SecretRedactingFilter`, on the root
handler) and from the rendered line itself, which also covers the repr of objects a
library passes along (Django's `django.request` logs the request object with "Bad
Request: /webhook/<kind>/<secret>").
"""

import logging
import sys

import structlog

from secretaria.observability.masking import mask_pii, redact_secrets

_configured = False


def _shared_processors() -> list:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        mask_pii,
    ]


class SecretRedactingFilter(logging.Filter):
    """Redacts webhook secrets from a record's message and string arguments (any handler, any format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_secrets(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact_secrets(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def _redact_rendered(_logger, _method_name: str, rendered: str) -> str:
    """Last step after the renderer: whatever reached the line (a repr, a traceback) is redacted too."""
    return redact_secrets(rendered)


def configure_logging(*, level: str = "INFO", fmt: str = "json") -> None:
    global _configured
    if _configured:
        return
    _configured = True
    renderer = (
        structlog.dev.ConsoleRenderer(colors=False)
        if fmt == "console"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *_shared_processors()],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer, _redact_rendered],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    handler.addFilter(SecretRedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Quiet libraries that log every request or query at INFO.
    # celery.app.trace / celery.worker.strategy log every task received and succeeded:
    # two lines per message at load; failures still come through at WARNING and above.
    # axes logs its start in every process and each successful login at INFO; failures and lockouts are WARNING.
    for noisy in ("django.db.backends", "urllib3", "httpx", "httpcore", "kombu", "celery.redirected",
                  "celery.app.trace", "celery.worker.strategy", "axes"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("django.server").setLevel(logging.WARNING)
