#!/usr/bin/env bash
# monitor.sh: every 5 minutes (crazy-gary-monitor.timer) publishes how fresh the backups
# are, measured from the repository in this host's region, so staleness alarms fire even
# when a job never ran (ages of jobs that never ran count from the install time):
#   CrazyGary/Backup FullBackupAgeHours    newest full backup in the local repository
#   CrazyGary/Backup WalArchiveAgeSeconds  newest WAL segment in the local repository
#   CrazyGary/Backup RestoreTestAgeDays    last successful restore test (active side only)
#   CrazyGary/Database ReplicationLagSeconds  age of the replicated heartbeat row (standby
#     only; overstates the lag by up to the heartbeat interval, 60 s, never understates it)
# all with dimensions Environment and Region (this host's region).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dr_load_env

BACKUP_NAMESPACE="CrazyGary/Backup"
DATABASE_NAMESPACE="CrazyGary/Database"

# Prints the seconds-resolution ratio $1 / $2 with three decimals.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
}

# newest_full_stop INFO_JSON REPO: stop time (epoch) of the newest full backup, or empty.
newest_full_stop() {
  json_sql "$1" "SELECT max((b->'timestamp'->>'stop')::bigint)
FROM doc, json_array_elements(doc.j) AS s, json_array_elements(s->'backup') AS b
WHERE b->>'type' = 'full' AND b->'database'->>'repo-key' = :'repo';" -v repo="$2"
}

# newest_wal INFO_JSON REPO: "<archive id> <newest segment>" of the current archive, or empty.
newest_wal() {
  json_sql "$1" "SELECT a->>'id', a->>'max'
FROM doc, json_array_elements(doc.j) AS s, json_array_elements(s->'archive') AS a
WHERE a->'database'->>'repo-key' = :'repo' AND a->>'max' IS NOT NULL
ORDER BY (a->'database'->>'id')::int DESC
LIMIT 1;" -F ' ' -v repo="$2"
}

# file_time LS_JSON PREFIX: modification time (epoch) of the newest file named PREFIX*.
file_time() {
  json_sql "$1" "SELECT max((f.value->>'time')::bigint)
FROM doc, json_each(doc.j) AS f
WHERE f.value->>'type' = 'file' AND starts_with(f.key, :'prefix');" -v prefix="$2"
}

now=$(now_epoch)
installed=$(installed_at_epoch)
info=$(dr_pgbackrest --repo="$DR_LOCAL_REPO" --output=json info)

full_stop=$(newest_full_stop "$info" "$DR_LOCAL_REPO")
full_stop="${full_stop:-$installed}"

wal_time="$installed"
wal_row=$(newest_wal "$info" "$DR_LOCAL_REPO")
if [[ -n "$wal_row" ]]; then
  read -r archive_id newest_segment <<<"$wal_row"
  listing=$(as_postgres pgbackrest --config="$DR_PGBACKREST_CONFIG" --repo="$DR_LOCAL_REPO" \
    --output=json repo-ls "archive/$DR_STANZA/$archive_id/${newest_segment:0:16}")
  segment_time=$(file_time "$listing" "$newest_segment")
  wal_time="${segment_time:-$installed}"
fi

data=(
  "$(metric_datum FullBackupAgeHours "$(ratio $((now - full_stop)) 3600)" None "$DR_REGION")"
  "$(metric_datum WalArchiveAgeSeconds "$((now - wal_time))" Seconds "$DR_REGION")"
)
if [[ "$DR_SIDE" == "active" ]]; then
  restore_file="$DR_STATE_DIR/restore-test-last-success"
  restore_time="$installed"
  if [[ -r "$restore_file" ]]; then
    restore_time=$(cat "$restore_file")
  fi
  data+=("$(metric_datum RestoreTestAgeDays "$(ratio $((now - restore_time)) 86400)" None "$DR_REGION")")
fi
put_metric_data "$BACKUP_NAMESPACE" "$DR_REGION" "${data[@]}"
log "published backup freshness for repo$DR_LOCAL_REPO ($DR_REGION)"

if [[ "$DR_SIDE" == "passive" && "$(dr_in_recovery)" == "t" ]]; then
  lag=$(dr_psql -c "SELECT round(extract(epoch FROM clock_timestamp() - beat_at)::numeric, 3) FROM ${DR_HEARTBEAT_TABLE} WHERE id = 1")
  if [[ -z "$lag" ]]; then
    die "no heartbeat row in ${DR_HEARTBEAT_TABLE}: has configure-postgres.sh run on the primary?"
  fi
  put_metric_data "$DATABASE_NAMESPACE" "$DR_REGION" \
    "$(metric_datum ReplicationLagSeconds "$lag" Seconds "$DR_REGION")"
  log "published replication lag ${lag}s"
fi
