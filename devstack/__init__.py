"""Local development stack: the code behind `make run` and `make test`.

Nothing here is imported by the application itself. It starts the embedded
PostgreSQL and Valkey servers when `DATABASE_URL`/`REDIS_URL` are unset, prepares
the database, and supervises the web server, the Celery worker and Celery beat.
"""
