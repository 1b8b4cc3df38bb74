#!/usr/bin/env bash
# promote.sh: the database step of a region flip (runbook "Multi-Region Failover":
# "Promote secondary database"). Run by the Promotion component (a @pulumi/command
# local.Command, from where `pulumi up` runs) when the stack's activeRegion changes.
#
# Contract: inputs ONLY through environment variables (never arguments), so connection
# secrets stay off command lines, out of `ps` and out of this script's output.
#   NEW_PRIMARY_HOST, NEW_PRIMARY_PORT, NEW_PRIMARY_DATABASE, NEW_PRIMARY_USER   required
#   NEW_PRIMARY_PASSWORD    optional (empty: libpq's other means, e.g. .pgpass or trust)
#   OLD_PRIMARY_HOST, OLD_PRIMARY_PORT, OLD_PRIMARY_DATABASE, OLD_PRIMARY_USER   required
#   OLD_PRIMARY_PASSWORD    optional
#   FENCE_TIMEOUT_SECONDS   whole seconds (1-600) that probing the old primary may take, and
#                           again fencing it; also the connect timeout for both sides; default 10
#   TARGET_REGION, OLD_REGION   labels used in messages only; default "new" / "old"
#   Other libpq variables (PGSSLMODE, PGSSLROOTCERT, ...) pass through to psql.
# The NEW user needs EXECUTE on pg_promote() (or superuser); the OLD user needs to be able
# to ALTER SYSTEM (superuser, or GRANT ALTER SYSTEM ON PARAMETER default_transaction_read_only)
# and to terminate other sessions (pg_signal_backend).
#
# What it does, by the state of the two databases:
#   new side in recovery (a standby)         -> fence the old primary when reachable
#                                               (ALTER SYSTEM SET default_transaction_read_only = on,
#                                               reload, terminate other client sessions; bounded by
#                                               FENCE_TIMEOUT_SECONDS), else warn and go on; then
#                                               SELECT pg_promote(wait => true) and verify a write.
#   new side a writable primary, old side fenced, in recovery or unreachable
#                                            -> nothing to do, exit 0 (a rerun is a no-op).
#   both sides writable primaries            -> split brain: change nothing, exit 2.
#   new side unreachable, or a fenced primary (a former primary not yet rebuilt as a
#   standby)                                 -> refuse, exit 3.
# A reachable old primary that cannot be fenced (no right to ALTER SYSTEM, a statement that
# times out) is refused, exit 5: DNS still points at it until this step ends, so promoting
# now would let both take writes (the runbook's first recovery priority is data). Fence it
# by hand or stop its PostgreSQL (then it is unreachable and the promotion goes on), and
# rerun `pulumi up`.
# Exit codes: 0 done or nothing to do, 2 split brain, 3 cannot promote the new side,
# 4 promotion or write check failed, 5 old primary reachable but not fenced, 64 bad input.
set -euo pipefail

readonly REBUILD_STEP="Failover > Fail back: rebuild the old primary as a standby (README 'Failover' section)"

say() { printf 'promote: %s\n' "$*"; }
warn() { printf 'promote: WARNING: %s\n' "$*" >&2; }
fail() {
  local code=$1
  shift
  printf 'promote: ERROR: %s\n' "$*" >&2
  exit "$code"
}

# require_env NAME: the variable must be set and non-empty.
require_env() {
  if [[ -z "${!1:-}" ]]; then
    fail 64 "environment variable $1 is required (see the contract at the top of promote.sh)"
  fi
}

for side in NEW_PRIMARY OLD_PRIMARY; do
  for field in HOST PORT DATABASE USER; do
    require_env "${side}_${field}"
  done
  port_var="${side}_PORT"
  if ! [[ "${!port_var}" =~ ^[0-9]+$ ]] || ((10#${!port_var} < 1 || 10#${!port_var} > 65535)); then
    fail 64 "${port_var}='${!port_var}' is not a TCP port; allowed: an integer from 1 to 65535"
  fi
done

FENCE_TIMEOUT_SECONDS="${FENCE_TIMEOUT_SECONDS:-10}"
if ! [[ "$FENCE_TIMEOUT_SECONDS" =~ ^[0-9]+$ ]] || ((10#$FENCE_TIMEOUT_SECONDS < 1 || 10#$FENCE_TIMEOUT_SECONDS > 600)); then
  fail 64 "FENCE_TIMEOUT_SECONDS='${FENCE_TIMEOUT_SECONDS}' is not allowed; allowed: whole seconds from 1 to 600"
fi
FENCE_TIMEOUT_SECONDS=$((10#$FENCE_TIMEOUT_SECONDS))
TARGET_REGION="${TARGET_REGION:-new}"
OLD_REGION="${OLD_REGION:-old}"
# libpq treats a connect timeout below 2 s as 2 s.
CONNECT_TIMEOUT=$((FENCE_TIMEOUT_SECONDS < 2 ? 2 : FENCE_TIMEOUT_SECONDS))

# sql SIDE: runs the SQL on stdin against SIDE (NEW_PRIMARY or OLD_PRIMARY) with psql, one
# statement at a time, stopping at the first error; prints unaligned rows ("a|b").
# The password goes to psql through PGPASSWORD in psql's own environment only.
sql() {
  local side=$1 host_var="${1}_HOST" port_var="${1}_PORT" db_var="${1}_DATABASE" user_var="${1}_USER" pw_var="${1}_PASSWORD"
  local -a bound=()
  if [[ "$side" == OLD_PRIMARY ]]; then
    bound=(timeout --kill-after=2 "$FENCE_TIMEOUT_SECONDS")
  fi
  PGHOST="${!host_var}" PGPORT="${!port_var}" PGDATABASE="${!db_var}" PGUSER="${!user_var}" \
    PGPASSWORD="${!pw_var:-}" PGCONNECT_TIMEOUT="$CONNECT_TIMEOUT" PGAPPNAME="crazy-gary-promote" \
    "${bound[@]}" psql --no-psqlrc --quiet --no-align --tuples-only --set ON_ERROR_STOP=1 --file -
}

# first_line TEXT / last_line TEXT: one line of TEXT, for one-line messages.
first_line() { printf '%s' "${1%%$'\n'*}"; }
last_line() { printf '%s' "${1##*$'\n'}"; }

# probe SIDE: sets STATE to recovery | fenced | writable | unreachable and DETAIL to why.
probe() {
  local out
  if out=$(sql "$1" 2>&1 <<<"SELECT pg_is_in_recovery()::text || ':' || current_setting('default_transaction_read_only');"); then
    case "$out" in
      true:*) STATE=recovery ;;
      false:on) STATE=fenced ;;
      false:off) STATE=writable ;;
      *) STATE=unreachable DETAIL="unexpected probe answer" ;;
    esac
  else
    STATE=unreachable
    DETAIL=$(first_line "${out:-no answer within ${FENCE_TIMEOUT_SECONDS} s}")
  fi
}

# describe STATE: the state in words, for messages.
describe() {
  case "$1" in
    recovery) echo "in recovery (a standby)" ;;
    fenced) echo "a fenced (read-only) primary" ;;
    writable) echo "a writable primary" ;;
    *) echo "unreachable" ;;
  esac
}

# decide NEW_STATE OLD_STATE: prints the action: promote | noop | split-brain | refuse.
decide() {
  case "$1:$2" in
    recovery:*) echo promote ;;
    writable:writable) echo split-brain ;;
    writable:*) echo noop ;;
    *) echo refuse ;;
  esac
}

# fence_old: makes the old primary read-only for new sessions and ends the other client
# sessions; prints "t" (reloaded) then how many were ended. Bounded by FENCE_TIMEOUT_SECONDS.
fence_old() {
  sql OLD_PRIMARY <<SQL
SET statement_timeout = '${FENCE_TIMEOUT_SECONDS}s';
ALTER SYSTEM SET default_transaction_read_only = on;
SELECT pg_reload_conf();
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
 WHERE backend_type = 'client backend' AND pid <> pg_backend_pid();
SQL
}

DETAIL=""
probe NEW_PRIMARY
new_state=$STATE new_detail=$DETAIL
DETAIL=""
probe OLD_PRIMARY
old_state=$STATE old_detail=$DETAIL
new_at="${NEW_PRIMARY_HOST}:${NEW_PRIMARY_PORT}"
old_at="${OLD_PRIMARY_HOST}:${OLD_PRIMARY_PORT}"
say "${TARGET_REGION} database (${new_at}) is $(describe "$new_state"); ${OLD_REGION} database (${old_at}) is $(describe "$old_state")"

case "$(decide "$new_state" "$old_state")" in
  noop)
    say "${TARGET_REGION} is already primary and ${OLD_REGION} is $(describe "$old_state"); nothing to do"
    exit 0
    ;;
  split-brain)
    fail 2 "split brain: both ${TARGET_REGION} (${new_at}) and ${OLD_REGION} (${old_at}) are writable primaries." \
      "Nothing was changed. Keep clients on ${TARGET_REGION}, then follow the runbook step" \
      "\"${REBUILD_STEP}\" for ${OLD_REGION}."
    ;;
  refuse)
    if [[ "$new_state" == unreachable ]]; then
      fail 3 "cannot promote ${TARGET_REGION}: its database (${new_at}) is unreachable (${new_detail}). Nothing was changed."
    fi
    fail 3 "cannot make ${TARGET_REGION} active: its database (${new_at}) is a fenced former primary, not a standby." \
      "Follow the runbook step \"${REBUILD_STEP}\" for ${TARGET_REGION} before flipping back. Nothing was changed."
    ;;
esac

# promote: the new side is a standby.
if [[ "$old_state" == unreachable ]]; then
  warn "old primary in ${OLD_REGION} (${old_at}) is unreachable (${old_detail}); promoting without fencing it." \
    "If it comes back it must not take writes: see \"${REBUILD_STEP}\"."
elif [[ "$old_state" == recovery ]]; then
  say "${OLD_REGION} is in recovery (a standby); nothing to fence"
elif fence_out=$(fence_old 2>&1); then
  say "fenced ${OLD_REGION} (${old_at}): default_transaction_read_only = on, $(last_line "$fence_out") other client session(s) terminated"
else
  fail 5 "could not fence ${OLD_REGION} (${old_at}) within ${FENCE_TIMEOUT_SECONDS} s ($(first_line "${fence_out:-timed out}"))." \
    "Nothing was promoted: it still takes writes, and clients still reach it until this step succeeds." \
    "Fence it by hand (ALTER SYSTEM SET default_transaction_read_only = on; SELECT pg_reload_conf();)" \
    "or stop its PostgreSQL, then rerun pulumi up."
fi

say "promoting ${TARGET_REGION} (${new_at}) with pg_promote(wait => true)"
if ! promoted=$(sql NEW_PRIMARY 2>&1 <<<"SELECT pg_promote(wait => true, wait_seconds => 60);"); then
  fail 4 "pg_promote on ${TARGET_REGION} failed: $(first_line "$promoted")"
fi
if [[ "$promoted" != t ]]; then
  fail 4 "pg_promote on ${TARGET_REGION} did not finish within 60 s (answer: $(first_line "$promoted"))"
fi

# Harmless write check: a temporary table dropped at commit, and a transaction id that
# only a read-write primary can assign.
if ! xid=$(sql NEW_PRIMARY 2>&1 <<'SQL'
BEGIN;
CREATE TEMPORARY TABLE crazy_gary_promotion_check (checked_at timestamptz) ON COMMIT DROP;
INSERT INTO crazy_gary_promotion_check VALUES (now());
SELECT pg_current_xact_id();
COMMIT;
SQL
); then
  fail 4 "${TARGET_REGION} was promoted but does not accept writes: $(first_line "$xid")"
fi
say "promoted ${TARGET_REGION}; it accepts writes (write check committed transaction ${xid})"
