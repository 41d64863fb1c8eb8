# syntax=docker/dockerfile:1
#
# Production image for Secretaria: one image, three roles (web, worker, beat),
# chosen by the entrypoint's first argument (see deploy/entrypoint.sh).
#
#   docker build -t secretaria .
#   docker run --rm secretaria migrate | web | worker | beat
#
# Needs BuildKit (the default builder since Docker 23) for the pip cache mounts.

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: a virtualenv with the project and its runtime dependencies ----------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src

# Dependencies first, from pyproject.toml alone, so that this (slow) layer is
# reused until the dependency list changes. Runtime dependencies only: the
# [dev] extra (pytest, ruff...) never enters the image.
COPY pyproject.toml ./
RUN --mount=type=cache,target=/root/.cache/pip \
    python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps) + '\n')" \
 && pip install -r /tmp/requirements.txt

# Then the project itself (dependencies are already satisfied: nothing new is downloaded).
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install .

# --- runtime --------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ARG APP_UID=10001
ARG APP_GID=10001

# PYTHONPATH=/app: manage.py and celery_app.py live at the top of the source tree
# and are not part of the installed package, so every process runs from /app and
# imports the project's modules from there.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=secretaria.settings \
    STATIC_ROOT=/app/staticfiles \
    CELERY_BEAT_SCHEDULE_FILE=/var/lib/secretaria/beat/celerybeat-schedule

# Unprivileged user; the only places it can write are the two state directories
# below (mounted as volumes by docker-compose.yml).
RUN groupadd --system --gid "${APP_GID}" secretaria \
 && useradd --system --uid "${APP_UID}" --gid secretaria --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin secretaria \
 && mkdir -p /var/lib/secretaria/beat /var/lib/secretaria/prometheus \
 && chown -R secretaria:secretaria /var/lib/secretaria \
 && chmod 0750 /var/lib/secretaria/beat /var/lib/secretaria/prometheus

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
# Source owned by root: readable, not writable, by the application user.
COPY . .
COPY deploy/entrypoint.sh /usr/local/bin/secretaria-entrypoint

# Static files are collected into the image (served by WhiteNoise). The settings
# refuse to load without SECRET_KEY, so this one command gets a throwaway,
# build-only value inline; it is not stored in any layer's environment.
RUN chmod 0755 /usr/local/bin/secretaria-entrypoint \
 && SECRET_KEY=collectstatic-build-only-not-a-secret \
    python manage.py collectstatic --noinput -v 0 \
 && python -m compileall -q /app

USER ${APP_UID}:${APP_GID}

EXPOSE 8000

# Liveness only (/healthz). Readiness (/readyz: database, Redis, worker, beat) is
# for the load balancer and for Prometheus, not for Docker. The long start period
# covers the migrations that the web role runs before gunicorn starts.
# Note: the worker and beat roles override this healthcheck in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4); sys.exit(0 if r.status == 200 else 1)"]

ENTRYPOINT ["secretaria-entrypoint"]
CMD ["web"]
