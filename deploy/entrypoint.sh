#!/bin/sh
# Container entrypoint for Secretaria. One image, one role per container:
#
#   web      wait for PostgreSQL, migrate + bootstrap (unless SECRETARIA_MIGRATE_ON_START=0),
#            then exec gunicorn on 0.0.0.0:8000
#   worker   exec the Celery worker
#   beat     exec Celery beat (schedule file: CELERY_BEAT_SCHEDULE_FILE, on a writable volume)
#   migrate  wait for PostgreSQL, migrate public, the template and the company schemas, bootstrap, exit
#   manage   run any manage.py command:  manage createsuperuser ...
#   *        anything else is executed as given (sh, python ...)
#
# Extra arguments after the role go to the program: `worker --max-tasks-per-child=500`.
#
# PROMETHEUS_MULTIPROC_DIR (prometheus_client multiprocess mode)
# ---------------------------------------------------------------
# gunicorn workers and Celery processes each write their samples to files in this
# directory, and /metrics adds up every file. In docker-compose.yml the web and
# worker containers share it (a volume), so stale files must be removed, but only
# when that cannot destroy a live process's samples. The choice made here:
#
#   * The web role clears the directory's *.db files at start, and only if it owns
#     the directory: the directory belongs to this container's uid AND nobody else
#     holds the lock file inside it. Every web and worker process keeps a shared
#     flock(1) on that file for its whole life (the descriptor is inherited across
#     exec), so the web role's non-blocking exclusive attempt succeeds only when no
#     worker (and no other web container) is running on the directory.
#   * When the web container restarts while the worker runs, nothing is deleted:
#     the worker's live files survive. Files of the web's dead processes stay too;
#     their counters are cumulative, so the sums stay right.
#   * The worker role never clears anything; migrate/manage run with
#     PROMETHEUS_MULTIPROC_DIR unset (their few samples are simply not exported).
#
# File names carry the process id, so the sharing containers must also share one
# PID namespace (docker-compose.yml does this), or two processes in different
# containers could write the same file.

set -eu

LOCK_NAME=.secretaria-multiproc.lock
GUNICORN_BIND=0.0.0.0:8000

log() {
    printf '[entrypoint] %s\n' "$*" >&2
}

die() {
    log "ERROR: $*"
    exit 1
}

# --- PostgreSQL -----------------------------------------------------------------

wait_for_postgres() {
    # Through Django itself, so DATABASE_URL/DATABASE_NAME are read exactly as the app reads them.
    log "waiting for PostgreSQL (up to ${DB_WAIT_TIMEOUT:-60}s)"
    python - <<'PY'
import os
import sys
import time

import django

django.setup()
from django.db import connection
from django.db.utils import OperationalError

timeout = float(os.environ.get("DB_WAIT_TIMEOUT", "60"))
deadline = time.monotonic() + timeout
while True:
    try:
        connection.ensure_connection()
        break
    except OperationalError as exc:
        if time.monotonic() >= deadline:
            print(f"[entrypoint] ERROR: PostgreSQL not reachable after {timeout:.0f}s: {exc}", file=sys.stderr)
            sys.exit(1)
        time.sleep(1)
connection.close()
PY
}

# The order matters (docs/fleet-migrations.md): public first (the companies' rows); then the template, and
# its cached DDL refreshed, so that a company provisioned while the others migrate is made at the new
# state; then the company schemas that lag: a SQL-only plan is collected once and replayed in each schema
# (tenants/migration_replay.py), anything else goes to django-tenants' multiprocessing executor
# (MIGRATE_PROCESSES); each schema is then verified and marked, which keeps /readyz's lag check to one query.
run_migrations() {
    log "migrating the public schema"
    python manage.py migrate_schemas --shared --noinput
    log "migrating the template schema, then refreshing its DDL"
    python manage.py migrate_template
    python manage.py schema_template_refresh
    log "migrating the company schemas that lag (fast path, else ${MIGRATE_PROCESSES:-4} processes), then marking them"
    python manage.py migrate_lagging
    # Idempotent: public tenant, template schema, platform admin, role sync.
    # Note: it resets the platform admin's password to SECRETARIA_ADMIN_PASSWORD.
    log "bootstrap"
    python manage.py bootstrap
    if [ "${SECRETARIA_DEMO:-0}" = "1" ]; then
        log "the demo company"
        python -m devstack.demo
    fi
}

# --- Prometheus multiprocess directory ----------------------------------------------

# Opens file descriptor 9 on the lock file. The descriptor stays open across `exec`,
# so the lock lives exactly as long as gunicorn / the Celery worker does.
metrics_lock_open() {
    dir=$1
    if ! command -v flock >/dev/null 2>&1; then
        log "flock not found: cannot coordinate $dir with other containers"
        return 1
    fi
    if [ -e "$dir/$LOCK_NAME" ] && [ ! -w "$dir/$LOCK_NAME" ]; then
        log "$dir/$LOCK_NAME is not writable by uid $(id -u)"
        return 1
    fi
    exec 9>>"$dir/$LOCK_NAME"
}

metrics_dir_check() {
    dir=$1
    case "$dir" in
        /|/app|/app/*|/usr|/usr/*|/etc|/etc/*) die "PROMETHEUS_MULTIPROC_DIR=$dir is not a metrics directory" ;;
    esac
    mkdir -p "$dir" 2>/dev/null || true
    if [ ! -d "$dir" ] || [ ! -w "$dir" ]; then
        die "PROMETHEUS_MULTIPROC_DIR=$dir is not a writable directory"
    fi
}

# web: clear stale samples only if this container owns the directory (see the header).
metrics_dir_prepare_web() {
    dir=${PROMETHEUS_MULTIPROC_DIR:-}
    if [ -z "$dir" ]; then
        log "PROMETHEUS_MULTIPROC_DIR unset: /metrics shows this process's samples only"
        return 0
    fi
    metrics_dir_check "$dir"
    if ! metrics_lock_open "$dir"; then
        log "leaving $dir as it is"
        return 0
    fi
    if [ ! -O "$dir" ]; then
        log "$dir is not owned by uid $(id -u): not clearing it"
    elif flock -n -x 9; then
        log "no other process uses $dir: removing stale metric files"
        rm -f -- "$dir"/*.db
    else
        log "$dir is in use by another container (the worker): keeping its files"
    fi
    # Downgrade (or take) the shared lock held for the life of gunicorn.
    flock -w 30 -s 9 || log "could not take the shared lock on $dir/$LOCK_NAME"
}

# worker: never clears; holds a shared lock so that a restarting web leaves its files alone.
metrics_dir_join() {
    dir=${PROMETHEUS_MULTIPROC_DIR:-}
    [ -n "$dir" ] || return 0
    metrics_dir_check "$dir"
    if metrics_lock_open "$dir"; then
        flock -w 30 -s 9 || log "could not take the shared lock on $dir/$LOCK_NAME"
    fi
}

# --- roles -----------------------------------------------------------------------

role=${1:-web}
if [ "$#" -gt 0 ]; then
    shift
fi

case "$role" in
    web)
        # Before anything imports Django: django-prometheus writes to the directory on import.
        metrics_dir_prepare_web
        wait_for_postgres
        if [ "${SECRETARIA_MIGRATE_ON_START:-1}" = "1" ]; then
            run_migrations
        else
            log "SECRETARIA_MIGRATE_ON_START=0: skipping migrations and bootstrap"
        fi
        log "starting gunicorn on $GUNICORN_BIND"
        exec gunicorn secretaria.wsgi:application \
            --config python:secretaria.gunicorn_conf \
            --bind "$GUNICORN_BIND" \
            "$@"
        ;;
    worker)
        metrics_dir_join
        log "starting the Celery worker"
        exec celery -A celery_app worker \
            --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
            --without-mingle --without-gossip \
            "$@"
        ;;
    beat)
        # Beat exports no metrics: keep it off the shared directory.
        unset PROMETHEUS_MULTIPROC_DIR
        schedule=${CELERY_BEAT_SCHEDULE_FILE:-/var/lib/secretaria/beat/celerybeat-schedule}
        schedule_dir=$(dirname "$schedule")
        mkdir -p "$schedule_dir" 2>/dev/null || true
        [ -w "$schedule_dir" ] || die "$schedule_dir (CELERY_BEAT_SCHEDULE_FILE) is not writable"
        log "starting Celery beat (schedule file $schedule)"
        exec celery -A celery_app beat \
            --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
            --schedule "$schedule" \
            "$@"
        ;;
    migrate)
        unset PROMETHEUS_MULTIPROC_DIR
        wait_for_postgres
        run_migrations
        log "migrations and bootstrap done"
        ;;
    manage)
        unset PROMETHEUS_MULTIPROC_DIR
        exec python manage.py "$@"
        ;;
    *)
        exec "$role" "$@"
        ;;
esac
