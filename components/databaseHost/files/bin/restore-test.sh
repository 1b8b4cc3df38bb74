#!/usr/bin/env bash
# restore-test.sh: the runbook's monthly backup restore test, for real (run by
# crazy-gary-restore-test.timer on every host; it tests on the leader only, as Patroni says):
#   1. on the primary, with writers to the verified tables held off for the length of the
#      counts (SHARE lock, at most 10 s to get it), count their rows and create a named
#      restore point, so the restored copy must match the counts exactly;
#   2. `pgbackrest check` switches WAL and waits until the restore point is archived;
#   3. restore the latest backup from this region's repository into a scratch data
#      directory, replay WAL to the restore point, start it on a spare port (Unix socket
#      only, archiving off so it never writes into the repositories), wait for promotion;
#   4. count the same tables there and compare;
#   5. publish RestoreTestSuccess (1/0) and RestoreTestDurationSeconds (namespace
#      CrazyGary/Backup; dimensions Environment, Region), record the time of a success for
#      monitor.sh, then stop the scratch server and delete the scratch directory (also when
#      a step fails).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dr_load_env

BACKUP_NAMESPACE="CrazyGary/Backup"
# How long the scratch copy may take to replay WAL up to the restore point, in seconds.
RECOVERY_WAIT_SECONDS=3600

if ! dr_is_leader; then
  log "not the leader ($DR_REGION; Patroni's GET /primary is not 200 here): the restore test runs on the leader; nothing to do"
  exit 0
fi

scratch="$DR_RESTORE_TEST_DIR"
scratch_data="$scratch/data"
scratch_socket="$scratch/socket"
case "$(realpath -m "$DR_PGDATA")/" in
  "$(realpath -m "$scratch")"/*)
    die "DR_RESTORE_TEST_DIR ($scratch) contains DR_PGDATA ($DR_PGDATA); refusing to use it as scratch space"
    ;;
esac

# psql on the scratch copy.
scratch_psql() {
  as_postgres psql -X -q -At -v ON_ERROR_STOP=1 -h "$scratch_socket" -p "$DR_RESTORE_TEST_PORT" \
    -d "$DR_DATABASE" "$@"
}

# Stops the scratch server, if one runs, and deletes the scratch directory.
cleanup() {
  if [[ -f "$scratch_data/postmaster.pid" ]]; then
    as_postgres "$DR_PG_BIN/pg_ctl" -D "$scratch_data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$scratch"
}

# One "table|rows" line per verified table, in the order of DR_VERIFY_TABLES.
count_rows_sql() {
  local table
  for table in $DR_VERIFY_TABLES; do
    printf "SELECT '%s', count(*) FROM %s;\n" "$table" "$table"
  done
}

# Counts the verified tables on the primary and creates restore point $1 while writers to
# those tables wait, so the counts are exactly the state at the restore point. The postgres OS
# user's own peer connection: a SHARE lock needs UPDATE, DELETE or TRUNCATE on the tables
# (https://www.postgresql.org/docs/15/sql-lock.html), which no backup or monitor role holds.
# pgBackRest's check and restore below log in as pgbackrest (pg1-user); restore never connects.
snapshot_source() {
  local -a tables
  read -r -a tables <<<"$DR_VERIFY_TABLES"
  local table_list
  table_list=$(printf '%s, ' "${tables[@]}")
  {
    printf 'BEGIN;\nSET LOCAL lock_timeout = %s;\n' "'10s'"
    printf 'LOCK TABLE %s IN SHARE MODE;\n' "${table_list%, }"
    count_rows_sql
    printf "SELECT pg_create_restore_point('%s') AS restore_point_lsn \\\\gset\n" "$1"
    printf 'COMMIT;\n'
  } | dr_psql
}

# write_as_postgres FILE LINE: creates FILE, owned by postgres, holding LINE.
write_as_postgres() {
  printf '%s\n' "$2" | as_postgres tee "$1" >/dev/null
}

# Keeps the restored copy startable where the configuration lives outside the data
# directory (Debian keeps it in /etc/postgresql): missing files get minimal versions.
ensure_config_files() {
  local name
  declare -A minimal=(
    [postgresql.conf]="# restore test: settings come from the command line"
    [pg_hba.conf]="local all all peer"
    [pg_ident.conf]="# restore test: no user maps"
  )
  for name in postgresql.conf pg_hba.conf pg_ident.conf; do
    if [[ ! -f "$scratch_data/$name" ]]; then
      log "no $name in the restored data directory (kept outside it, as on Debian): writing a minimal one"
      write_as_postgres "$scratch_data/$name" "${minimal[$name]}"
    fi
  done
}

# hot_standby_settings: "-c name=value" for max_connections, max_worker_processes,
# max_wal_senders, max_prepared_transactions and max_locks_per_transaction. A restored copy run
# with less than its source's stops with "recovery aborted because of insufficient parameter
# settings" (https://www.postgresql.org/docs/15/hot-standby.html#HOT-STANDBY-ADMIN; citations
# P11), and its data directory may not say (Debian, and Patroni with config_dir there, keep
# postgresql.conf in /etc/postgresql): each is the larger of what the backup recorded (the
# restored copy's pg_controldata) and the source's value now (WAL after the backup may raise it).
hot_standby_settings() {
  local controldata pair setting label recorded current options=""
  controldata=$(as_postgres "$DR_PG_BIN/pg_controldata" "$scratch_data")
  for pair in max_connections:max_connections max_worker_processes:max_worker_processes \
    max_wal_senders:max_wal_senders max_prepared_transactions:max_prepared_xacts \
    max_locks_per_transaction:max_locks_per_xact; do
    setting="${pair%%:*}"
    label="${pair#*:}"
    recorded=$(sed -n "s/^$label setting: *//p" <<<"$controldata")
    current=$(dr_psql -c "SHOW $setting")
    if [[ ! "$recorded" =~ ^[0-9]+$ || ! "$current" =~ ^[0-9]+$ ]]; then
      die "cannot read $setting (pg_controldata '$recorded', source '$current')"
    fi
    options+=" -c $setting=$((recorded > current ? recorded : current))"
  done
  printf '%s\n' "${options# }"
}

wait_for_promotion() {
  local deadline=$(($(now_epoch) + RECOVERY_WAIT_SECONDS))
  while true; do
    if ! as_postgres "$DR_PG_BIN/pg_ctl" -D "$scratch_data" status >/dev/null; then
      tail -n 20 "$scratch/postgres.log" >&2 || true
      die "the scratch server stopped before reaching the restore point"
    fi
    if [[ "$(scratch_psql -c 'SELECT pg_is_in_recovery()' 2>/dev/null || true)" == "f" ]]; then
      return 0
    fi
    if (($(now_epoch) > deadline)); then
      die "the scratch server did not reach the restore point within ${RECOVERY_WAIT_SECONDS}s"
    fi
    sleep 1
  done
}

run_test() {
  if [[ "$(dr_in_recovery)" != "f" ]]; then
    die "Patroni says this host leads but PostgreSQL on it is in recovery (a promotion under way?): no source to compare with"
  fi
  local target
  target="crazy-gary-restore-test-$(date -u +%Y%m%dT%H%M%SZ)"
  local source_counts restored_counts
  source_counts=$(snapshot_source "$target")
  log "restore point $target created; source row counts: $(echo "$source_counts" | tr '\n' ' ')"

  dr_pgbackrest check
  as_postgres mkdir -p "$scratch_socket" "$scratch/spool"
  # A spool of its own: restore empties the stanza's archive spool (pgBackRest 2.45 aborts with
  # "[061]: unable to remove path '<spool>/archive/<stanza>': Directory not empty" when the live
  # primary's async archive-push writes there meanwhile, seen in test/postgres/recovery.test.ts
  # under an application writer), and the scratch copy's archive-get queue must not mix with the
  # primary's push queue. restore writes the option into the copy's restore_command too.
  dr_pgbackrest --repo="$DR_LOCAL_REPO" --pg1-path="$scratch_data" --spool-path="$scratch/spool" --type=name \
    --target="$target" --target-action=promote --archive-mode=off restore
  ensure_config_files
  local settings
  settings=$(hot_standby_settings)
  log "starting the restored copy with the source's $settings"
  as_postgres "$DR_PG_BIN/pg_ctl" -D "$scratch_data" -l "$scratch/postgres.log" -w -t 600 \
    -o "-c port=$DR_RESTORE_TEST_PORT -c listen_addresses='' -c unix_socket_directories='$scratch_socket' -c archive_mode=off $settings" \
    start >/dev/null
  wait_for_promotion

  restored_counts=$(count_rows_sql | scratch_psql)
  log "restored row counts: $(echo "$restored_counts" | tr '\n' ' ')"
  if [[ "$restored_counts" != "$source_counts" ]]; then
    die "restored row counts differ from the source's at the restore point"
  fi
}

cleanup
trap cleanup EXIT

started=$(now_epoch)
# set -e does not apply inside a function called as a condition: run it in a subshell
# with errexit on, and collect its status.
set +e
(
  set -e
  run_test
)
status=$?
set -e
duration=$(($(now_epoch) - started))

success=0
if ((status == 0)); then
  success=1
  mkdir -p "$DR_STATE_DIR"
  printf '%s\n' "$(now_epoch)" >"$DR_STATE_DIR/restore-test-last-success"
  log "restore test passed in ${duration}s"
else
  log "ERROR: restore test failed after ${duration}s" >&2
fi
put_metric_data "$BACKUP_NAMESPACE" "$DR_REGION" \
  "$(metric_datum RestoreTestSuccess "$success" Count "$DR_REGION")" \
  "$(metric_datum RestoreTestDurationSeconds "$duration" Seconds "$DR_REGION")"
exit "$status"
