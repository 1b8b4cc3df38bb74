#!/usr/bin/env bash
# configure-postgres.sh: makes PostgreSQL archive WAL through pgBackRest and readies the
# stanza; idempotent, run by the stack whenever the rendered files change (as root or as
# postgres).
#   - archive_mode=on, archive_command (pgBackRest archive-push, async, to every repository)
#     and archive_timeout (RPO / 5) through ALTER SYSTEM and pg_reload_conf(); PostgreSQL is
#     restarted only when the running archive_mode is not yet on (it cannot change on reload);
#     prints what changed;
#   - on the active side: the heartbeat table and its single row, `pgbackrest stanza-create`
#     (a no-op when the stanza exists) and `pgbackrest check` (a WAL segment reaches every
#     repository). A repository that does not answer (its region's S3 is down) is left out of
#     stanza-create and check with a WARNING, so a flip during a region outage deploys; with
#     no repository answering the script fails (docs/runbooks/region-outage-wal.md);
#   - the roles' logins (domain/databaseRoles.ts): reads the pgbackrest, monitor and replicator
#     passwords from their Secrets Manager secrets in this host's region into the postgres OS
#     user's libpq password file (mode 0600; the passwords never appear on a command line or
#     in the stack's plan), and keeps a block in pg_hba.conf that asks those roles for them
#     (scram-sha-256), below fence.sh's block when there is one; on the active side it lets
#     the monitor read the heartbeat table (nothing else);
#   - records the install time used by monitor.sh for jobs that never ran.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dr_load_env

archive_command="pgbackrest --config=$DR_PGBACKREST_CONFIG --stanza=$DR_STANZA archive-push %p"

# The value PostgreSQL runs with now.
running_setting() {
  dr_psql -v name="$1" <<'SQL'
SELECT setting FROM pg_settings WHERE name = :'name';
SQL
}

# report NAME BEFORE AFTER: prints whether a setting changed.
report() {
  if [[ "$2" == "$3" ]]; then
    log "$1 unchanged ($3)"
  else
    log "$1 changed from '$2' to '$3'"
  fi
}

# pgBackRest on the repositories that answer (a config without the others, written below).
checked_pgbackrest() {
  as_postgres pgbackrest --config="$checked_config" --stanza="$DR_STANZA" "$@"
}

# Repositories where the stanza is missing (pgbackrest info status 1 "missing stanza path" or
# 3 "missing stanza data"), one index per line.
repos_without_stanza() {
  local info
  info=$(checked_pgbackrest --output=json info)
  json_sql "$info" "SELECT r->>'key' FROM doc, json_array_elements(doc.j) AS s, json_array_elements(s->'repo') AS r
WHERE (r->'status'->>'code')::int IN (1, 3) ORDER BY 1;"
}

# stanza-create only where the stanza is missing: it takes the archive lock, which the async
# archive-push holds while it pushes (every minute here), so it is retried on that lock
# (pgBackRest error 50) a few times rather than failing the deployment.
ensure_stanza() {
  local missing attempt status
  missing=$(repos_without_stanza)
  if [[ -z "$missing" ]]; then
    log "stanza $DR_STANZA exists in every repository"
    return 0
  fi
  log "stanza $DR_STANZA missing in repo(s) $(echo "$missing" | tr '\n' ' ')- creating it"
  for attempt in 1 2 3 4 5 6; do
    status=0
    checked_pgbackrest stanza-create || status=$?
    if ((status == 0)); then
      return 0
    fi
    if ((status != 50 || attempt == 6)); then
      die "pgbackrest stanza-create failed (exit $status)"
    fi
    log "pgBackRest's archive lock is held (an archive-push is running); retrying in 5 s"
    sleep 5
  done
}

# secret_password NAME: prints the password of the role secret NAME ({"username": ..., "password":
# ...}, written by the DatabaseRoles component) read in this host's region: the primary region's
# secret there, its replica in the other region, so either region reads it alone. The AWS CLI
# prints it on its stdout, which only this shell reads; the host role may read exactly the
# roles' secrets (components/databaseHostIam.ts). Generated passwords are letters and digits.
secret_password() {
  local document
  document=$(aws_cli secretsmanager get-secret-value --region "$DR_REGION" --secret-id "$1" \
    --query SecretString --output text) ||
    die "cannot read secret $1 in $DR_REGION: the host's instance role needs secretsmanager:GetSecretValue on it (components/databaseHostIam.ts)"
  if [[ ! "$document" =~ \"password\"[[:space:]]*:[[:space:]]*\"([A-Za-z0-9]+)\" ]]; then
    die "secret $1 holds no \"password\" of letters and digits; it is written by the DatabaseRoles component (pulumi up)"
  fi
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# write_password_file: the libpq password file (DR_PGPASSFILE, owned by postgres, 0600) with
# one line per role of DR_ROLE_SECRETS, for the database that role logs into
# (https://www.postgresql.org/docs/15/libpq-pgpass.html: "hostname:port:database:username:password";
# libpq ignores the file unless it is 0600 or stricter; "replication" matches physical
# replication connections). Written through stdin (printf is a shell builtin), renamed over the
# old file; prints whether it changed, never what it holds.
write_password_file() {
  local entry role database content="" roles="" tmp
  for entry in $DR_ROLE_SECRETS; do
    role="${entry%%=*}"
    roles+="${roles:+, }$role"
    case "$role" in
      pgbackrest) database="$DR_PGBACKREST_DATABASE" ;;
      monitor) database="$DR_DATABASE" ;;
      replicator) database="replication" ;;
      *) die "setting DR_ROLE_SECRETS names role '$role'; allowed: pgbackrest, monitor, replicator" ;;
    esac
    content+="*:*:${database}:${role}:$(secret_password "${entry#*=}")"$'\n'
  done
  tmp="$DR_PGPASSFILE.crazy-gary.$$"
  # shellcheck disable=SC2016 # $1 is expanded by the inner sh
  printf '%s' "$content" | as_postgres sh -c 'umask 077 && cat >"$1"' sh "$tmp"
  if as_postgres cmp -s -- "$tmp" "$DR_PGPASSFILE"; then
    as_postgres rm -f -- "$tmp"
    log "password file $DR_PGPASSFILE unchanged (roles: $roles)"
  else
    as_postgres mv -f -- "$tmp" "$DR_PGPASSFILE"
    log "password file $DR_PGPASSFILE written from Secrets Manager (roles: $roles)"
  fi
}

# The roles block: each role only from where it connects, only to its database, with its password.
roles_hba_block() {
  local address
  printf '%s\n' "$DR_ROLES_BEGIN" \
    "# Written by configure-postgres.sh (pulumi up); passwords in $DR_PGPASSFILE." \
    "local $DR_PGBACKREST_DATABASE pgbackrest scram-sha-256" \
    "local $DR_DATABASE monitor scram-sha-256"
  for address in $DR_REPLICATION_CLIENTS; do
    printf 'host replication replicator %s scram-sha-256\n' "$address"
  done
  printf '%s\n' "$DR_ROLES_END"
}

# write_roles_hba: puts the roles block first in pg_hba.conf (the first matching line decides:
# https://www.postgresql.org/docs/15/auth-pg-hba-conf.html), or right below fence.sh's block,
# which must stay first; replaces an older roles block. Prints whether it changed.
write_roles_hba() {
  local hba tmp
  hba=$(dr_hba_file)
  dr_lock_hba
  tmp="${hba}.crazy-gary-roles.$$"
  cp -p -- "$hba" "$tmp"
  awk -v fence_end="$DR_FENCE_END" -v begin="$DR_ROLES_BEGIN" -v end="$DR_ROLES_END" -v block="$(roles_hba_block)" '
    { lines[NR] = $0 }
    $0 == fence_end { after = NR }
    END {
      if (after == 0) print block
      skip = 0
      for (i = 1; i <= NR; i++) {
        if (lines[i] == begin) { skip = 1; continue }
        if (skip) { if (lines[i] == end) skip = 0; continue }
        print lines[i]
        if (i == after) print block
      }
    }' "$hba" >"$tmp"
  if cmp -s -- "$tmp" "$hba"; then
    rm -f -- "$tmp"
    log "pg_hba.conf roles block unchanged ($hba)"
  else
    mv -f -- "$tmp" "$hba"
    log "pg_hba.conf roles block written ($hba): pgbackrest, monitor and replicator log in with their passwords"
  fi
  dr_unlock_hba
  if [[ "$(dr_hba_errors)" != "0" ]]; then
    die "$hba has line(s) PostgreSQL cannot parse (see pg_hba_file_rules): fix the file and run configure-postgres.sh again"
  fi
}

restart_postgres() {
  if [[ -n "${DR_PG_SERVICE:-}" ]]; then
    systemctl restart "$DR_PG_SERVICE"
  else
    # -l: the restarted server must not keep this script's output open.
    as_postgres "$DR_PG_BIN/pg_ctl" -D "$DR_PGDATA" -m fast -w -t 300 \
      -l "$DR_STATE_DIR/postgresql-restart.log" restart >/dev/null
  fi
}

# Folders the timers' scripts and pgBackRest write to, owned by postgres.
for dir in "$DR_STATE_DIR" $DR_PGBACKREST_DIRS; do
  if [[ ! -d "$dir" ]]; then
    if [[ "$(id -u)" == "0" ]]; then
      install -d -o postgres -g postgres -m 0750 "$dir"
    else
      mkdir -p "$dir"
    fi
  fi
done

write_password_file
write_roles_hba

before_mode=$(running_setting archive_mode)
before_command=$(running_setting archive_command)
before_timeout=$(running_setting archive_timeout)

dr_psql -v command="$archive_command" -v timeout="$DR_ARCHIVE_TIMEOUT_SECONDS" >/dev/null <<'SQL'
ALTER SYSTEM SET archive_mode = 'on';
ALTER SYSTEM SET archive_command = :'command';
ALTER SYSTEM SET archive_timeout = :'timeout';
SELECT pg_reload_conf();
SQL
report archive_command "$before_command" "$archive_command"
report archive_timeout "$before_timeout" "$DR_ARCHIVE_TIMEOUT_SECONDS"
if [[ "$before_mode" != "on" ]]; then
  log "archive_mode changed from '$before_mode' to 'on': restarting PostgreSQL (archive_mode needs a restart)"
  restart_postgres
else
  log "archive_mode unchanged (on): reloaded, no restart"
fi

if [[ "$DR_SIDE" == "active" ]]; then
  if [[ "$(dr_in_recovery)" != "f" ]]; then
    die "DR_SIDE is active but PostgreSQL on this host is in recovery: promote it (finish the flip) first"
  fi
  dr_psql -v schema="${DR_HEARTBEAT_TABLE%%.*}" >/dev/null <<SQL
CREATE SCHEMA IF NOT EXISTS :"schema";
CREATE TABLE IF NOT EXISTS ${DR_HEARTBEAT_TABLE} (
  id integer PRIMARY KEY CHECK (id = 1),
  beat_at timestamptz NOT NULL
);
INSERT INTO ${DR_HEARTBEAT_TABLE} (id, beat_at) VALUES (1, clock_timestamp())
  ON CONFLICT (id) DO NOTHING;
-- The monitor measures replication lag from this row on the standby (monitor.sh).
GRANT USAGE ON SCHEMA :"schema" TO monitor;
GRANT SELECT ON ${DR_HEARTBEAT_TABLE} TO monitor;
SQL
  log "heartbeat table ${DR_HEARTBEAT_TABLE} ready"
  reachable=()
  unreachable=()
  for repo in $(repo_indexes); do
    if repo_reachable "$repo"; then
      reachable+=("$repo")
    else
      unreachable+=("$repo")
      log "WARNING: repo$repo ($(repo_region "$repo")) does not answer within ${DR_REPO_IO_TIMEOUT_SECONDS} s: left out of stanza-create and check; WAL keeps reaching the other repositories, PostgreSQL queues it for this one (docs/runbooks/region-outage-wal.md)"
    fi
  done
  if ((${#reachable[@]} == 0)); then
    die "no repository answers (repos: $DR_REPOS): WAL cannot be archived anywhere; check the hosts' S3 access"
  fi
  checked_config="$DR_STATE_DIR/pgbackrest-reachable.conf"
  config_without_repos "$checked_config" "${unreachable[@]}"
  ensure_stanza
  # While a repository is down each async archive-push run first waits out its io-timeout, so
  # the switched segment may need two runs to reach the others: wait up to the RPO (5 x
  # archive_timeout) rather than pgBackRest's default 60 s.
  checked_pgbackrest --archive-timeout="$((DR_ARCHIVE_TIMEOUT_SECONDS * 5))" check
  if ((${#unreachable[@]} == 0)); then
    log "stanza $DR_STANZA ready and checked: WAL reaches every repository"
  else
    log "stanza $DR_STANZA ready and checked: WAL reaches repo(s) ${reachable[*]}; NOT repo(s) ${unreachable[*]}, which do not answer"
  fi
else
  log "passive side: stanza-create and check run on the active side"
fi

if [[ ! -f "$DR_STATE_DIR/installed-at" ]]; then
  now_epoch | as_postgres tee "$DR_STATE_DIR/installed-at" >/dev/null
fi
