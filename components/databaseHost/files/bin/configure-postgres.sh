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
