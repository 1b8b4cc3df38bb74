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
#   FENCE_COMMAND           shell command the old primary's server runs (as the postgres OS user,
#                           through COPY ... TO PROGRAM) to fence itself; default
#                           /opt/crazy-gary/dr/bin/fence.sh (installed by the DatabaseHost component)
#   CATCH_UP_TIMEOUT_SECONDS  whole seconds (1-3600) the standby may take to replay the fenced old
#                           primary's last WAL before it is promoted; default 300 (the database RPO)
#   LEASE_WAIT_SECONDS      whole seconds (1-3600) to wait before promoting when the old primary is
#                           unreachable: by then its lease (lease.sh) has fenced it if it still
#                           runs; default 90 (lease 60 + 2 x check 10 + fence 10, domain/lease.ts)
#   TARGET_REGION, OLD_REGION   labels used in messages only; default "new" / "old"
#   Other libpq variables (PGSSLMODE, PGSSLROOTCERT, ...) pass through to psql.
# The NEW user needs EXECUTE on pg_promote() (or superuser). The OLD user needs
# pg_execute_server_program (to run FENCE_COMMAND), EXECUTE on pg_switch_wal() (or superuser).
#
# What it does, by the state of the two databases:
#   new side in recovery (a standby), old side
#     a writable primary   -> fence it: FENCE_COMMAND (fence.sh) puts a reject block at the top of
#                             its pg_hba.conf, reloads and ends every other client session, so no
#                             client can write by any means; in the same session pg_switch_wal()
#                             flushes its WAL and pg_current_wal_flush_lsn() is its final position
#                             (bounded by FENCE_TIMEOUT_SECONDS); wait until the standby has replayed
#                             that position (bounded by CATCH_UP_TIMEOUT_SECONDS); promote.
#     fenced (its pg_hba.conf rejects this connection: its lease fenced it, or a rerun)
#                          -> wait FENCE_TIMEOUT_SECONDS (fence.sh's bound: it ends sessions and
#                             flushes WAL), then until the standby has replayed all its WAL
#                             receiver got (pg_stat_wal_receiver.latest_end_lsn); promote.
#     unreachable          -> wait LEASE_WAIT_SECONDS (its lease fences it if it still runs), look
#                             once more (now reachable and writable: fence it as above); promote.
#     in recovery          -> nothing to fence; promote.
#   Each promotion is SELECT pg_promote(wait => true), then a write check.
#   new side a writable primary, old side fenced, in recovery or unreachable
#                                            -> nothing to do, exit 0 (a rerun is a no-op).
#   both sides writable primaries            -> split brain: change nothing, exit 2.
#   new side unreachable, or fenced (a former primary not yet rebuilt as a standby)
#                                            -> refuse, exit 3.
# A reachable old primary that cannot be fenced (no right to run FENCE_COMMAND, fence.sh failing
# or timing out) is refused, exit 5: DNS still points at it until this step ends, so promoting
# now would let both take writes (the runbook's first recovery priority is data). Fence it by
# hand (run fence.sh on its host) or stop its PostgreSQL, and rerun `pulumi up`.
# Exit codes: 0 done or nothing to do, 2 split brain, 3 cannot promote the new side,
# 4 promotion or write check failed, 5 old primary reachable but not fenced, 6 the standby did
# not catch up in time (nothing promoted; the old side stays fenced), 64 bad input.
set -euo pipefail

readonly REBUILD_STEP="Fail back: rebuild the old primary as a standby (docs/runbooks/failback.md)"

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

# whole_seconds NAME DEFAULT MAX: NAME defaults to DEFAULT and must be whole seconds 1..MAX.
whole_seconds() {
  local name=$1
  printf -v "$name" '%s' "${!name:-$2}"
  if ! [[ "${!name}" =~ ^[0-9]+$ ]] || ((10#${!name} < 1 || 10#${!name} > $3)); then
    fail 64 "${name}='${!name}' is not allowed; allowed: whole seconds from 1 to $3"
  fi
  printf -v "$name" '%d' "$((10#${!name}))"
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

whole_seconds FENCE_TIMEOUT_SECONDS 10 600
whole_seconds CATCH_UP_TIMEOUT_SECONDS 300 3600
whole_seconds LEASE_WAIT_SECONDS 90 3600
FENCE_COMMAND="${FENCE_COMMAND:-/opt/crazy-gary/dr/bin/fence.sh}"
TARGET_REGION="${TARGET_REGION:-new}"
OLD_REGION="${OLD_REGION:-old}"
# libpq treats a connect timeout below 2 s as 2 s.
CONNECT_TIMEOUT=$((FENCE_TIMEOUT_SECONDS < 2 ? 2 : FENCE_TIMEOUT_SECONDS))

# sql SIDE [psql args]: runs the SQL on stdin against SIDE (NEW_PRIMARY or OLD_PRIMARY) with
# psql, one statement at a time, stopping at the first error; prints unaligned rows ("a|b").
# Calls to the old side are cut after SQL_BOUND seconds (default FENCE_TIMEOUT_SECONDS).
# The password goes to psql through PGPASSWORD in psql's own environment only.
sql() {
  local side=$1 host_var="${1}_HOST" port_var="${1}_PORT" db_var="${1}_DATABASE" user_var="${1}_USER" pw_var="${1}_PASSWORD"
  shift
  local -a bound=()
  if [[ "$side" == OLD_PRIMARY ]]; then
    bound=(timeout --kill-after=2 "${SQL_BOUND:-$FENCE_TIMEOUT_SECONDS}")
  fi
  PGHOST="${!host_var}" PGPORT="${!port_var}" PGDATABASE="${!db_var}" PGUSER="${!user_var}" \
    PGPASSWORD="${!pw_var:-}" PGCONNECT_TIMEOUT="$CONNECT_TIMEOUT" PGAPPNAME="crazy-gary-promote" \
    "${bound[@]}" psql --no-psqlrc --quiet --no-align --tuples-only --set ON_ERROR_STOP=1 "$@" --file -
}

# first_line TEXT / last_line TEXT: one line of TEXT, for one-line messages.
first_line() { printf '%s' "${1%%$'\n'*}"; }
last_line() { printf '%s' "${1##*$'\n'}"; }

# now_ms: milliseconds since the epoch (bash 5's EPOCHREALTIME).
now_ms() { local t=${EPOCHREALTIME/[.,]/}; printf '%d' "$((t / 1000))"; }

# probe SIDE: sets STATE to recovery | fenced | writable | unreachable and DETAIL to why.
# fenced: the server answers, but its pg_hba.conf rejects this connection (fence.sh's block).
probe() {
  local out
  if out=$(sql "$1" 2>&1 <<<"SELECT pg_is_in_recovery();"); then
    case "$out" in
      t) STATE=recovery ;;
      f) STATE=writable ;;
      *) STATE=unreachable DETAIL="unexpected probe answer" ;;
    esac
  elif [[ "$out" == *"pg_hba.conf rejects connection"* ]]; then
    STATE=fenced DETAIL=$(first_line "$out")
  else
    STATE=unreachable
    DETAIL=$(first_line "${out:-no answer within ${FENCE_TIMEOUT_SECONDS} s}")
  fi
}

# describe STATE: the state in words, for messages.
describe() {
  case "$1" in
    recovery) echo "in recovery (a standby)" ;;
    fenced) echo "fenced (its pg_hba.conf rejects client connections)" ;;
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

# fence_old: the old primary's own server runs FENCE_COMMAND (fence.sh) with this session's
# backend pid kept, so this session outlives the fence; then pg_switch_wal() flushes every WAL
# record already inserted (a commit acknowledged under synchronous_commit = off may not be
# flushed yet, and only flushed WAL is streamed), and the flush position, printed last, is the
# final one: no client session is left to write after it. Bounded by twice
# FENCE_TIMEOUT_SECONDS (fence.sh's own bound, then the switch).
fence_old() {
  SQL_BOUND=$((2 * FENCE_TIMEOUT_SECONDS)) sql OLD_PRIMARY -v fence_command="$FENCE_COMMAND" \
    -v fence_timeout="$FENCE_TIMEOUT_SECONDS" -v reason="promote.sh: ${TARGET_REGION} becomes active" <<'SQL'
SELECT format('%s --keep-pid %s --timeout %s --reason %s', :'fence_command', pg_backend_pid(),
              :'fence_timeout', quote_literal(:'reason')) AS fence_program \gset
COPY (SELECT 1) TO PROGRAM :'fence_program';
SELECT pg_switch_wal() IS NOT NULL;
SELECT pg_current_wal_flush_lsn();
SQL
}

# catch_up LSN_SQL WHAT: waits until the standby has replayed up to the LSN that the SQL
# expression LSN_SQL gives on the standby; bounded by CATCH_UP_TIMEOUT_SECONDS (exit 6).
catch_up() {
  local target=$1 what=$2 started answer
  started=$(now_ms)
  for (( ; ; )); do
    answer=$(sql NEW_PRIMARY 2>&1 <<<"SELECT (pg_last_wal_replay_lsn() >= ${target})::text || ' ' || coalesce(pg_wal_lsn_diff(${target}, pg_last_wal_replay_lsn())::bigint, 0) || ' ' || pg_last_wal_replay_lsn();") ||
      fail 6 "cannot read the replay position of ${TARGET_REGION}: $(first_line "$answer"). Nothing was promoted."
    read -r reached behind replayed <<<"$answer"
    if [[ "$reached" == true ]]; then
      say "${TARGET_REGION} replayed ${what} (now at ${replayed}) after $(($(now_ms) - started)) ms of waiting"
      return 0
    fi
    if (($(now_ms) - started > CATCH_UP_TIMEOUT_SECONDS * 1000)); then
      fail 6 "${TARGET_REGION} did not replay ${what} within ${CATCH_UP_TIMEOUT_SECONDS} s (${behind} bytes behind, at ${replayed})." \
        "Nothing was promoted; ${OLD_REGION} stays fenced. Rerun pulumi up to wait again, or see docs/runbooks/failover-database.md."
    fi
    sleep 0.1
  done
}

# fence_and_catch_up: fences the reachable, writable old primary and waits for its last WAL.
fence_and_catch_up() {
  local fence_out final_lsn
  if ! fence_out=$(fence_old 2>&1); then
    fail 5 "could not fence ${OLD_REGION} (${old_at}) within $((2 * FENCE_TIMEOUT_SECONDS)) s ($(first_line "${fence_out:-timed out}"); fence.sh logs to that server's log)." \
      "Nothing was promoted: it may still take writes, and clients still reach it until this step succeeds." \
      "Fence it by hand (run fence.sh on its host as postgres) or stop its PostgreSQL, then rerun pulumi up."
  fi
  final_lsn=$(last_line "$fence_out")
  say "fenced ${OLD_REGION} (${old_at}): its pg_hba.conf rejects client connections, other client sessions ended; final WAL position ${final_lsn}"
  catch_up "'${final_lsn}'::pg_lsn" "${OLD_REGION}'s final WAL position ${final_lsn}"
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
  warn "old primary in ${OLD_REGION} (${old_at}) is unreachable (${old_detail}); waiting ${LEASE_WAIT_SECONDS} s," \
    "by when its lease has fenced it if it still runs (lease.sh: it cannot renew, or reads that ${TARGET_REGION} is active)."
  sleep "$LEASE_WAIT_SECONDS"
  DETAIL=""
  probe OLD_PRIMARY
  old_state=$STATE old_detail=$DETAIL
  say "after the lease wait, ${OLD_REGION} (${old_at}) is $(describe "$old_state")"
fi
case "$old_state" in
  unreachable)
    warn "promoting without fencing ${OLD_REGION}: the lease has run out; commits it took that the standby had not received are lost." \
      "If it comes back it takes no writes (fenced by its lease): see \"${REBUILD_STEP}\"."
    ;;
  recovery) say "${OLD_REGION} is in recovery (a standby); nothing to fence" ;;
  fenced)
    # Its fence (fence.sh, from its lease or an earlier run) may still be ending sessions and
    # flushing WAL: it finishes within its bound (DR_FENCE_TIMEOUT_SECONDS, the same default).
    say "${OLD_REGION} is fenced already (${old_detail}); its final WAL position cannot be read through the fence:" \
      "waiting ${FENCE_TIMEOUT_SECONDS} s for the fence to finish, then for ${TARGET_REGION} to replay all its WAL receiver got"
    sleep "$FENCE_TIMEOUT_SECONDS"
    if [[ "$(sql NEW_PRIMARY <<<"SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming' AND latest_end_lsn IS NOT NULL;")" == 1 ]]; then
      catch_up "(SELECT latest_end_lsn FROM pg_stat_wal_receiver)" "all WAL its receiver got from ${OLD_REGION}"
    else
      warn "${TARGET_REGION} is not streaming from ${OLD_REGION}: promoting with the WAL it has replayed"
    fi
    ;;
  writable) fence_and_catch_up ;;
esac

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
