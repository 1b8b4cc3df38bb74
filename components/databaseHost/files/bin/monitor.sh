#!/usr/bin/env bash
# monitor.sh: every 5 minutes (crazy-gary-monitor.timer) publishes how fresh the backups
# are, measured from the repository in this host's region, so staleness alarms fire even
# when a job never ran (ages of jobs that never ran count from the install time):
#   CrazyGary/Backup FullBackupAgeHours    newest full backup in the local repository
#   CrazyGary/Backup WalArchiveAgeSeconds  newest WAL segment in the local repository
#   CrazyGary/Backup RestoreTestAgeDays    last successful restore test (the leader only)
#   CrazyGary/Database ReplicationLagSeconds  age of the replicated heartbeat row (standby
#     only; overstates the lag by up to the heartbeat interval, 60 s, never understates it)
# all with dimensions Environment and Region (this host's region). On the leader (Patroni's GET
# /primary answers 200 here) also, for
# EVERY repository, to CloudWatch in this host's region (a region that is down takes no metrics):
#   $DR_REPOSITORY_WAL_AGE_NAMESPACE $DR_REPOSITORY_WAL_AGE_METRIC  seconds since the newest WAL
#     segment reached the repository, Region = the repository's region. A repository that does
#     not answer ages from the last segment seen in it (docs/runbooks/region-outage-wal.md).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dr_load_env
# Reads only: as the monitor role (pg_monitor, SELECT on the heartbeat table; it cannot write),
# with its password from the password file configure-postgres.sh writes. pgBackRest's info and
# repo-ls read the repositories and never connect to PostgreSQL.
DR_PSQL_ROLE=monitor

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

# newest_wal_time INFO_JSON REPO: modification time (epoch) of the newest WAL segment of the
# current archive in repository REPO, or empty when it has none.
newest_wal_time() {
  local wal_row archive_id newest_segment listing
  wal_row=$(newest_wal "$1" "$2")
  if [[ -n "$wal_row" ]]; then
    read -r archive_id newest_segment <<<"$wal_row"
    listing=$(as_postgres pgbackrest --config="$DR_PGBACKREST_CONFIG" --repo="$2" \
      --io-timeout="$DR_REPO_IO_TIMEOUT_SECONDS" --output=json \
      repo-ls "archive/$DR_STANZA/$archive_id/${newest_segment:0:16}")
    file_time "$listing" "$newest_segment"
  fi
}

# repository_wal_seen REPO: when the newest WAL segment reached REPO, as far as this host knows:
# read from the repository when it answers (and remembered), else the last time remembered,
# else the install time.
repository_wal_seen() {
  local repo="$1" seen="" repo_info
  local memory="$DR_STATE_DIR/repository-wal-seen-repo$repo"
  if repo_reachable "$repo"; then
    repo_info=$(dr_pgbackrest --repo="$repo" --io-timeout="$DR_REPO_IO_TIMEOUT_SECONDS" --output=json info)
    seen=$(newest_wal_time "$repo_info" "$repo")
  else
    log "repo$repo ($(repo_region "$repo")) does not answer; its WAL age counts from the last segment seen" >&2
  fi
  if [[ -n "$seen" ]]; then
    printf '%s\n' "$seen" >"$memory"
  elif [[ -r "$memory" ]]; then
    seen=$(cat "$memory")
  else
    seen="$installed"
  fi
  printf '%s\n' "$seen"
}

now=$(now_epoch)
installed=$(installed_at_epoch)
leader=false
if dr_is_leader; then
  leader=true
fi

if [[ "$leader" == "true" ]]; then
  repository_data=()
  for repo in $(repo_indexes); do
    seen=$(repository_wal_seen "$repo")
    repository_data+=("$(metric_datum "$DR_REPOSITORY_WAL_AGE_METRIC" "$((now - seen))" Seconds "$(repo_region "$repo")")")
  done
  put_metric_data "$DR_REPOSITORY_WAL_AGE_NAMESPACE" "$DR_REGION" "${repository_data[@]}"
  log "published the WAL age of every repository to $DR_REGION"
fi

info=$(dr_pgbackrest --repo="$DR_LOCAL_REPO" --output=json info)

full_stop=$(newest_full_stop "$info" "$DR_LOCAL_REPO")
full_stop="${full_stop:-$installed}"

wal_time=$(newest_wal_time "$info" "$DR_LOCAL_REPO")
wal_time="${wal_time:-$installed}"

data=(
  "$(metric_datum FullBackupAgeHours "$(ratio $((now - full_stop)) 3600)" None "$DR_REGION")"
  "$(metric_datum WalArchiveAgeSeconds "$((now - wal_time))" Seconds "$DR_REGION")"
)
if [[ "$leader" == "true" ]]; then
  restore_file="$DR_STATE_DIR/restore-test-last-success"
  restore_time="$installed"
  if [[ -r "$restore_file" ]]; then
    restore_time=$(cat "$restore_file")
  fi
  data+=("$(metric_datum RestoreTestAgeDays "$(ratio $((now - restore_time)) 86400)" None "$DR_REGION")")
fi
put_metric_data "$BACKUP_NAMESPACE" "$DR_REGION" "${data[@]}"
log "published backup freshness for repo$DR_LOCAL_REPO ($DR_REGION)"

if [[ "$leader" == "false" && "$(dr_in_recovery)" == "t" ]]; then
  lag=$(dr_psql -c "SELECT round(extract(epoch FROM clock_timestamp() - beat_at)::numeric, 3) FROM ${DR_HEARTBEAT_TABLE} WHERE id = 1")
  if [[ -z "$lag" ]]; then
    die "no heartbeat row in ${DR_HEARTBEAT_TABLE}: has configure-postgres.sh run on the primary?"
  fi
  put_metric_data "$DATABASE_NAMESPACE" "$DR_REGION" \
    "$(metric_datum ReplicationLagSeconds "$lag" Seconds "$DR_REGION")"
  log "published replication lag ${lag}s"
fi
