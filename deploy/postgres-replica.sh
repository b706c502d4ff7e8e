#!/usr/bin/env bash
# The entrypoint of `postgres-replica` (docker-compose.yml, profile `scale`): a
# hot standby streaming from the primary (`postgres`), then the postgres image's
# own entrypoint with the command given (`postgres -c …`).
#
# First start (no PG_VERSION in PGDATA): it makes sure the primary has the
# replication role `replicator` with the password in the postgres_replication_password
# secret (created, or its password set again: an existing pgdata volume works
# too; as POSTGRES_USER, the primary's superuser), then copies the primary with
# pg_basebackup. Every start: the standby connects as `replicator` through a
# passfile written here from the secret, outside the data directory, so no
# password is stored with the data. Later starts need no primary: a replica
# keeps serving reads while the primary is down.
#
# The names may be changed for a try outside compose: PRIMARY_HOST, PRIMARY_PORT,
# REPLICATION_PASSWORD_FILE, PASSFILE; POSTGRES_USER, POSTGRES_DB and
# POSTGRES_PASSWORD_FILE are the image's own.
set -euo pipefail

primary=${PRIMARY_HOST:-postgres}
port=${PRIMARY_PORT:-5432}
export REPLICATION_PASSWORD_FILE=${REPLICATION_PASSWORD_FILE:-/run/secrets/postgres_replication_password}
passfile=${PASSFILE:-/var/lib/postgresql/replication.pgpass}
PGDATA=${PGDATA:-/var/lib/postgresql/data}

write_passfile() {
    local password
    password=$(<"$REPLICATION_PASSWORD_FILE")
    password=${password//\\/\\\\}
    install -o postgres -g postgres -m 600 /dev/null "$passfile"
    printf '*:*:*:replicator:%s\n' "${password//:/\\:}" >"$passfile"
}

ensure_replication_role() {
    until pg_isready -q -h "$primary" -p "$port" -U "$POSTGRES_USER" -d "$POSTGRES_DB"; do
        echo "waiting for the primary at $primary:$port"
        sleep 2
    done
    # The password goes from the file to psql's variable, never on a command line.
    PGPASSWORD=$(<"$POSTGRES_PASSWORD_FILE") psql -q -v ON_ERROR_STOP=1 \
        -h "$primary" -p "$port" -U "$POSTGRES_USER" -d "$POSTGRES_DB" <<'SQL'
\set password `cat "$REPLICATION_PASSWORD_FILE"`
SELECT format(
    '%s ROLE replicator WITH LOGIN REPLICATION PASSWORD %L',
    CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator') THEN 'ALTER' ELSE 'CREATE' END,
    :'password'
) \gexec
SQL
}

copy_primary() {
    find "$PGDATA" -mindepth 1 -delete 2>/dev/null || true # a copy that stopped half-way
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    gosu postgres env PGPASSFILE="$passfile" pg_basebackup --no-password \
        -h "$primary" -p "$port" -U replicator -D "$PGDATA" -X stream --checkpoint=fast
    gosu postgres touch "$PGDATA/standby.signal"
    echo "copied the primary at $primary:$port"
}

write_passfile
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    ensure_replication_role
    copy_primary
fi
exec docker-entrypoint.sh "$@" \
    -c "primary_conninfo=host=$primary port=$port user=replicator passfile=$passfile application_name=postgres-replica"
