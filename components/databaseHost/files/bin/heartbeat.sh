#!/usr/bin/env bash
# heartbeat.sh: updates the single heartbeat row on the active primary (every minute, by
# crazy-gary-heartbeat.timer). An idle database still writes WAL this way, so archive_timeout
# switches and archives a segment every minute and WAL freshness alarms stay quiet at night;
# the standby measures its replication lag from the replicated row (monitor.sh). It writes, so
# it is the postgres OS user's own peer connection (no role with a password can write here).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dr_load_env

if [[ "$DR_SIDE" != "active" ]]; then
  exit 0
fi
if [[ "$(dr_in_recovery)" != "f" ]]; then
  die "DR_SIDE is active but PostgreSQL on this host is in recovery: no heartbeat written"
fi
# A fenced primary takes no write, not even this one: its last WAL is what the standby must
# replay before promotion, and nothing may follow it.
if dr_fenced "$(dr_hba_file)"; then
  log "fenced (lease.sh or promote.sh): no heartbeat written"
  exit 0
fi
dr_psql -c "UPDATE ${DR_HEARTBEAT_TABLE} SET beat_at = clock_timestamp() WHERE id = 1" >/dev/null
