#!/usr/bin/env bash
# lease.sh: the primary's lease on being the active side, checked every DR_LEASE_CHECK_SECONDS
# (crazy-gary-lease.timer). On a writable primary it reads the active-region SSM parameter in
# this host's own region (the stack writes it in every region on a flip):
#   - it names this host's region: the lease is renewed (the time the read STARTED is kept in
#     $DR_STATE_DIR/lease-confirmed-at; an earlier time only makes the lease end sooner);
#   - it names another region: fence.sh, now;
#   - the read fails (region or network down, partition, throttling; each read is cut at
#     DR_LEASE_CHECK_SECONDS): fence.sh once more than DR_LEASE_SECONDS have passed since the
#     last renewal (or since install, when none was ever made).
# So a primary that is no longer the active side stops taking writes at most
# DR_LEASE_SECONDS + 2 x DR_LEASE_CHECK_SECONDS + DR_FENCE_TIMEOUT_SECONDS after its last
# renewal, reachable or not; promote.sh waits that long before it promotes without having
# fenced the old primary itself (domain/lease.ts). A standby is left alone (it takes no
# writes); on a fenced server only client sessions still open are ended again.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dr_load_env

confirmed_file="$DR_STATE_DIR/lease-confirmed-at"

if [[ "$(dr_in_recovery)" != "f" ]]; then
  exit 0
fi
if dr_fenced "$(dr_hba_file)"; then
  # Fenced already. A fence.sh cut short by its bound (a loaded host) has put the block in
  # place but may have left sessions open: end them again (fence.sh is idempotent). The local
  # sessions the fence lets in (the postgres OS user's, the read-only monitor's) do not count.
  open_sessions=$(dr_psql -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND (usename NOT IN ('postgres', 'monitor') OR client_addr IS NOT NULL)")
  if ((open_sessions > 0)); then
    log "fenced, but ${open_sessions} client session(s) still open: running fence.sh again"
    exec "$(dirname "${BASH_SOURCE[0]}")/fence.sh" --reason "lease.sh: sessions left open after the fence"
  fi
  exit 0
fi

fence() {
  log "fencing: $*"
  exec "$(dirname "${BASH_SOURCE[0]}")/fence.sh" --reason "lease.sh: $*"
}

started=$(now_epoch)
status=0
answer=$(aws_cli_bounded "$DR_LEASE_CHECK_SECONDS" ssm get-parameter --region "$DR_REGION" \
  --name "$DR_ACTIVE_REGION_PARAMETER" --query Parameter.Value --output text 2>&1) || status=$?
if ((status == 0)); then
  if [[ "$answer" == "$DR_REGION" ]]; then
    mkdir -p "$DR_STATE_DIR"
    printf '%s\n' "$started" >"$confirmed_file.tmp"
    mv -f "$confirmed_file.tmp" "$confirmed_file"
    exit 0
  fi
  fence "$DR_ACTIVE_REGION_PARAMETER in $DR_REGION names ${answer%%$'\n'*}, not this region"
fi

last="$(cat "$confirmed_file" 2>/dev/null || installed_at_epoch)"
age=$((started - last))
if ((age > DR_LEASE_SECONDS)); then
  fence "could not read $DR_ACTIVE_REGION_PARAMETER in $DR_REGION for ${age} s (lease ${DR_LEASE_SECONDS} s)"
fi
log "WARNING: could not read $DR_ACTIVE_REGION_PARAMETER in $DR_REGION (exit $status: ${answer%%$'\n'*});" \
  "lease renewed ${age} s ago, fencing after ${DR_LEASE_SECONDS} s"
