#!/bin/sh
# Writes PgBouncer's user list from the environment, then runs PgBouncer in the foreground.
#
# The list holds the application's one database user with its password in clear: PgBouncer needs the
# password itself (not a hash) to log in to PostgreSQL with SCRAM on the client's behalf. It is written
# at each start inside the container (/run/pgbouncer, readable by its user only), never in the image
# or the repository.
set -eu

: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"

umask 077
printf '"%s" "%s"\n' "$POSTGRES_USER" "$POSTGRES_PASSWORD" > /run/pgbouncer/userlist.txt
unset POSTGRES_PASSWORD

exec /usr/sbin/pgbouncer /etc/pgbouncer/pgbouncer.ini
