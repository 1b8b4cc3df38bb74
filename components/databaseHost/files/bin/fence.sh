#!/usr/bin/env bash
# fence.sh [--reason TEXT] [--keep-pid PID] [--timeout SECONDS]: makes this host's PostgreSQL
# take no client write by any means, and keeps it so across reloads and restarts. Run as the
# postgres OS user by lease.sh (crazy-gary-lease.timer) when this side is no longer the
# active one, and by promote.sh through `COPY ... TO PROGRAM` on a planned flip (then with
# --keep-pid, the promote session's backend, which must survive to read the final WAL position).
#
# The wall: a block at the top of pg_hba.conf (the first matching record is used, and the file
# is read on start and on SIGHUP: https://www.postgresql.org/docs/15/auth-pg-hba-conf.html)
# that rejects every TCP connection and every Unix-socket connection
# but the postgres OS user's own (peer) and the read-only monitor role's (its pg_monitor
# statistics and one SELECT; it cannot write: test/postgres/leastPrivilege.test.ts), so the
# host's metrics keep flowing, then a reload and the end of every other client session. A setting such as default_transaction_read_only is no wall: any session overrides
# it (SET default_transaction_read_only = off, BEGIN READ WRITE). Physical replication
# connections match only records naming `replication`, never `all` (same page; postgres
# commit a2c3931 "replication connections only match records with database = replication"), so the
# standby keeps streaming the last WAL. Last, the WAL is flushed and switched, so the standby
# receives the last commit. Idempotent: a second run only ends sessions again.
# Lifting the fence is no command: the server is rebuilt as a standby (docs/runbooks/failover-database.md).
# Exit codes: 0 fenced, 1 failed (the server may still take writes), 2 bad usage.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dr_load_env

reason="by hand"
keep_pid=0
timeout_seconds="$DR_FENCE_TIMEOUT_SECONDS"
while (($# > 0)); do
  case "$1" in
    --reason) reason="${2:-}" && shift 2 ;;
    --keep-pid) keep_pid="${2:-}" && shift 2 ;;
    --timeout) timeout_seconds="${2:-}" && shift 2 ;;
    *)
      echo "fence.sh: unknown argument '$1'; usage: fence.sh [--reason TEXT] [--keep-pid PID] [--timeout SECONDS]" >&2
      exit 2
      ;;
  esac
done
if ! [[ "$keep_pid" =~ ^[0-9]+$ ]]; then
  echo "fence.sh: --keep-pid '$keep_pid' is not allowed; give a backend pid (digits)" >&2
  exit 2
fi
if ! [[ "$timeout_seconds" =~ ^[0-9]+$ ]] || ((timeout_seconds < 1 || timeout_seconds > 600)); then
  echo "fence.sh: --timeout '$timeout_seconds' is not allowed; give whole seconds from 1 to 600" >&2
  exit 2
fi
# The reason goes into a comment line of pg_hba.conf: keep it to one line of plain characters.
reason=$(printf '%s' "$reason" | tr -c 'A-Za-z0-9 .,:_/()=-' '_' | cut -c1-200)
deadline=$((SECONDS + timeout_seconds))

hba=$(dr_hba_file)
# configure-postgres.sh rewrites the same file (its roles block): one at a time.
dr_lock_hba
if dr_fenced "$hba"; then
  log "pg_hba.conf ($hba) already carries the fence"
else
  # Written beside the file and renamed over it: the server never reads half a file.
  tmp="${hba}.crazy-gary-fence.$$"
  cp -p -- "$hba" "$tmp"
  {
    printf '%s\n' "$DR_FENCE_BEGIN"
    printf '# %s: fenced (%s). Client connections are rejected; replication, the postgres\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$reason"
    printf '# OS user and the read-only monitor role on this host still connect. Do not just delete\n'
    printf '# this block: rebuild this server as a standby of the active region\n'
    printf '# (docs/runbooks/failover-database.md).\n'
    printf 'local all postgres peer\n'
    printf 'local %s monitor scram-sha-256\n' "$DR_DATABASE"
    printf 'local all all reject\n'
    printf 'host all all all reject\n'
    printf '%s\n' "$DR_FENCE_END"
    cat -- "$hba"
  } >"$tmp"
  mv -f -- "$tmp" "$hba"
  log "added the fence block to $hba ($reason)"
fi
dr_unlock_hba

# The postmaster applies pg_hba.conf on SIGHUP; a backend forked after that carries the new
# load time, so a fresh connection tells when new connections meet the fence. A file with an
# error is not applied at all (the old rules stay), hence the check first.
IFS='|' read -r errors loaded_before <<<"$(dr_psql <<'SQL'
SELECT (SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL), pg_conf_load_time();
SQL
)"
if [[ "$errors" != "0" ]]; then
  die "$hba has $errors line(s) PostgreSQL cannot parse (see pg_hba_file_rules): a reload would keep the old rules; fix the file and run fence.sh again"
fi
dr_psql -c "SELECT pg_reload_conf()" >/dev/null
for (( ; ; )); do
  reloaded=$(dr_psql -v before="$loaded_before" <<<"SELECT pg_conf_load_time() > :'before'::timestamptz;")
  if [[ "$reloaded" == t ]]; then
    break
  fi
  if ((SECONDS > deadline)); then
    die "the server did not reload pg_hba.conf within ${timeout_seconds} s"
  fi
  sleep 0.1
done

# End every other client session, and wait until each is gone (a commit in flight either
# finished before, or is rolled back). New ones can no longer arrive, but the postgres OS user's.
ended=0
for (( ; ; )); do
  left=$(dr_psql -v keep="$keep_pid" <<'SQL'
SELECT count(*) FILTER (WHERE NOT pg_terminate_backend(pid, 1000))
     || ' ' || count(*)
FROM pg_stat_activity
WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND pid <> :keep;
SQL
  )
  read -r still total <<<"$left"
  ended=$((ended + total - still))
  if ((total == 0)); then
    break
  fi
  if ((SECONDS > deadline)); then
    die "$still client session(s) still running ${timeout_seconds} s after pg_terminate_backend"
  fi
done
# Flush every WAL record the ended sessions wrote (a commit acknowledged under
# synchronous_commit = off may still sit in WAL buffers; only flushed WAL is streamed), so the
# standby can receive all of it: the switch record is flushed with everything before it.
final_lsn=$(dr_psql <<'SQL'
SELECT pg_switch_wal() IS NOT NULL;
SELECT pg_current_wal_flush_lsn();
SQL
)
log "fenced: new client connections are rejected; ${ended} client session(s) ended; WAL flushed up to ${final_lsn##*$'\n'}"
