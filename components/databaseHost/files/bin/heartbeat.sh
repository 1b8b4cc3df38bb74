#!/usr/bin/env bash
# heartbeat.sh: updates the single heartbeat row on the leader (every minute, by
# crazy-gary-heartbeat.timer on every host; only the leader, as Patroni says, writes). An idle database still writes WAL this way, so archive_timeout
# switches and archives a segment every minute and WAL freshness alarms stay quiet at night;
# the standby measures its replication lag from the replicated row (monitor.sh). It writes, so
# it is the postgres OS user's own peer connection (no role with a password can write here).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dr_load_env

if ! dr_is_leader; then
  exit 0
fi
if [[ "$(dr_in_recovery)" != "f" ]]; then
  die "Patroni says this host leads but PostgreSQL on it is in recovery (a promotion under way?): no heartbeat written"
fi
dr_psql -c "UPDATE ${DR_HEARTBEAT_TABLE} SET beat_at = clock_timestamp() WHERE id = 1" >/dev/null
