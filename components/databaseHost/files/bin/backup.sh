#!/usr/bin/env bash
# backup.sh full|incr: one pgBackRest backup of the given type into every repository (each
# region's bucket is a complete repository), on the leader only (Patroni's GET /primary): a
# replica, or an old primary that returned after a failover (Patroni rejoins it as a replica or
# keeps it stopped), never writes a backup into the shared stanza. Publishes, per
# repository, BackupSuccess (1/0) and BackupDurationSeconds to CloudWatch in that
# repository's region (namespace CrazyGary/Backup; dimensions Environment, Region, Type).
# Run by crazy-gary-backup-full.timer (daily) and crazy-gary-backup-incr.timer (every 6 h).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dr_load_env
# Its one query (is this a standby?) as the read-only monitor role; pgBackRest itself logs in as
# pgbackrest (pg1-user in the rendered config).
DR_PSQL_ROLE=monitor

BACKUP_NAMESPACE="CrazyGary/Backup"
# How long a run waits for another backup (the other timer) to finish, in seconds.
LOCK_WAIT_SECONDS=21600

type="${1:-}"
case "$type" in
  full | incr) ;;
  *)
    echo "usage: backup.sh full|incr (got '${type}')" >&2
    exit 2
    ;;
esac

if ! dr_is_leader; then
  log "not the leader ($DR_REGION; Patroni's GET /primary is not 200 here): backups run on the leader; nothing to do"
  exit 0
fi
if [[ "$(dr_in_recovery)" != "f" ]]; then
  die "Patroni says this host leads but PostgreSQL on it is in recovery (a promotion under way?): refusing to back up"
fi

# The full (02:00) and incremental (every 6 h) timers can overlap when a backup runs long:
# the later run waits here instead of failing on pgBackRest's own lock.
mkdir -p "$DR_STATE_DIR"
exec 9>"$DR_STATE_DIR/backup.lock"
if ! flock -w "$LOCK_WAIT_SECONDS" 9; then
  die "another backup still holds $DR_STATE_DIR/backup.lock after ${LOCK_WAIT_SECONDS}s"
fi

failed=0
for repo in $(repo_indexes); do
  region=$(repo_region "$repo")
  started=$(now_epoch)
  # A repository that does not answer (its region's S3 is down) is skipped at once, reported as a
  # failed backup: the backup into the other one must not wait behind it (a dead endpoint costs
  # pgBackRest minutes of retries, and backups run one at a time under backup.lock).
  if ! repo_reachable "$repo"; then
    log "ERROR: repo$repo ($region) does not answer within ${DR_REPO_IO_TIMEOUT_SECONDS} s: $type backup into it skipped (docs/runbooks/region-outage-wal.md)" >&2
    failed=1
    put_metric_data "$BACKUP_NAMESPACE" "$region" "$(metric_datum BackupSuccess 0 Count "$region" "Type=$type")"
    continue
  fi
  log "starting $type backup into repo$repo ($region)"
  if dr_pgbackrest --repo="$repo" --type="$type" backup; then
    success=1
    log "$type backup into repo$repo finished"
  else
    success=0
    failed=1
    log "ERROR: $type backup into repo$repo failed" >&2
  fi
  duration=$(($(now_epoch) - started))
  put_metric_data "$BACKUP_NAMESPACE" "$region" \
    "$(metric_datum BackupSuccess "$success" Count "$region" "Type=$type")" \
    "$(metric_datum BackupDurationSeconds "$duration" Seconds "$region" "Type=$type")"
done
exit "$failed"
