"""gunicorn settings for `make run` and the container image (override with GUNICORN_* env)."""

import os

workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# gthread, except that a request is read in full by the worker's main thread before a thread is
# given to it: a slow client (headers and half a body) cannot hold a thread (secretaria/gunicorn_worker.py).
worker_class = "secretaria.gunicorn_worker.BufferingThreadWorker"
# Connections a worker keeps (buffering, in a thread or kept alive); each buffering one holds at most
# GUNICORN_MAX_BUFFERED_BODY bytes.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "256"))
# Threads share one interpreter lock per process: past a few, a webhook's every round trip
# (Redis, PostgreSQL) waits longer to get the lock back. 4 per process answered the bench's
# 200 webhooks/s with the lowest p99 (8 threads: +10-20 ms; 2: requests queue for a thread).
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
accesslog = None  # RequestContextMiddleware logs each request as JSON
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    # gunicorn's own error log names the request URI ("Error handling request /webhook/<kind>/<secret>").
    import logging

    from secretaria.observability.logging import SecretRedactingFilter

    logging.getLogger("gunicorn.error").addFilter(SecretRedactingFilter())
    logging.getLogger("gunicorn.access").addFilter(SecretRedactingFilter())


def child_exit(server, worker):
    # Multiprocess Prometheus: forget a dead worker's live gauges.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    # Once the application is loaded: see secretaria/gc_tuning.py.
    from secretaria.gc_tuning import gc_tune

    gc_tune()
