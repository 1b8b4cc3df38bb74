#!/usr/bin/env bash
# Shared by the Crazy-Gary DR host scripts (sourced, never run): settings, logging, SQL,
# pgBackRest and CloudWatch metrics. Settings come from the file the stack renders
# (CRAZY_GARY_DR_ENV, default /etc/crazy-gary/dr.env).

# Command substitutions stop at their first failing command too.
shopt -s inherit_errexit

# Loads and checks the settings; every script calls this first.
dr_load_env() {
  local env_file="${CRAZY_GARY_DR_ENV:-/etc/crazy-gary/dr.env}"
  if [[ ! -r "$env_file" ]]; then
    echo "cannot read settings file $env_file (set CRAZY_GARY_DR_ENV to its path)" >&2
    exit 2
  fi
  # shellcheck source=/dev/null
  source "$env_file"
  local name
  for name in DR_ENVIRONMENT DR_REGION DR_STANZA DR_LOCAL_REPO DR_REPOS \
    DR_PGBACKREST_CONFIG DR_REPO_IO_TIMEOUT_SECONDS DR_REPOSITORY_WAL_AGE_NAMESPACE \
    DR_REPOSITORY_WAL_AGE_METRIC DR_PGBACKREST_DIRS DR_PG_BIN DR_PGDATA DR_PG_CONFIG_DIR DR_DATABASE \
    PGHOST PGPORT DR_ARCHIVE_TIMEOUT_SECONDS DR_HEARTBEAT_TABLE DR_RESTORE_TEST_DIR \
    DR_RESTORE_TEST_PORT DR_VERIFY_TABLES DR_STATE_DIR DR_ROLE_SECRETS DR_PGPASSFILE \
    DR_PGBACKREST_DATABASE DR_REPLICATION_CLIENTS DR_PATRONI_SCOPE DR_PATRONI_URL DR_PATRONI_CA DR_PATRONI_UNIT \
    DR_PATRONI_ENV_FILE DR_PATRONI_DYNAMIC_CONFIG DR_PATRONI_REST_SECRET DR_PATRONI_REPLICATION_ROLE \
    DR_PATRONI_REWIND_ROLE; do
    if [[ -z "${!name:-}" ]]; then
      echo "setting $name is missing or empty in $env_file" >&2
      exit 2
    fi
  done
  # libpq (psql, pgBackRest) reads the roles' passwords from here, never from a command line.
  PGPASSFILE="$DR_PGPASSFILE"
  export PGHOST PGPORT PGPASSFILE
}

# The database role dr_psql logs in as. The postgres OS user's own peer connection by default
# (configure-postgres.sh and heartbeat.sh need a superuser or write); scripts
# that only read set it to "monitor" after dr_load_env (monitor.sh, backup.sh).
DR_PSQL_ROLE=postgres

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*"
}

die() {
  log "ERROR: $*" >&2
  exit 1
}

# Runs a command as the postgres OS user (directly when already postgres, e.g. under the
# timers' units; through runuser when configure-postgres.sh runs as root).
as_postgres() {
  if [[ "$(id -un)" == "postgres" ]]; then
    "$@"
  else
    runuser -u postgres -- env PGHOST="$PGHOST" PGPORT="$PGPORT" PGPASSFILE="$PGPASSFILE" PATH="$PATH" "$@"
  fi
}

# psql on the local database as DR_PSQL_ROLE, quiet, unaligned, stopping at the first error.
dr_psql() {
  as_postgres psql -X -q -At -v ON_ERROR_STOP=1 -U "$DR_PSQL_ROLE" -d "$DR_DATABASE" "$@"
}

dr_pgbackrest() {
  as_postgres pgbackrest --config="$DR_PGBACKREST_CONFIG" --stanza="$DR_STANZA" "$@"
}

# json_sql JSON SQL [psql args]: runs SQL in which doc(j) holds JSON. The document travels on
# psql's standard input, so its size is not bounded by the command-line limit (pgbackrest
# info for 30 days of backups exceeds it).
json_sql() {
  local json="$1" sql="$2"
  shift 2
  {
    # shellcheck disable=SC2016 # $dr_json$ is SQL dollar quoting, not a shell expansion
    printf 'WITH doc(j) AS (SELECT $dr_json$%s$dr_json$::json)\n' "$json"
    printf '%s\n' "$sql"
  } | dr_psql "$@"
}

# "t" when the local PostgreSQL is a standby (in recovery), "f" when it is a primary.
dr_in_recovery() {
  dr_psql -c "SELECT pg_is_in_recovery()"
}

# patroni_status PATH: the HTTP status of GET PATH on this host's Patroni REST API, its TLS
# certificate verified with the cluster's CA; 000 when nothing answers within 5 s.
patroni_status() {
  curl --silent --output /dev/null --write-out '%{http_code}' --max-time 5 \
    --cacert "$DR_PATRONI_CA" "$DR_PATRONI_URL$1" || true
}

# dr_is_leader: succeeds when this host's PostgreSQL is the cluster's leader, as Patroni says:
# GET /primary answers 200 "only when the Patroni node is running as the primary with leader
# lock" (https://patroni.readthedocs.io/en/latest/rest_api.html; citations P3). A replica, a
# demoted old primary that came back, a Patroni that is down or cut off from the DCS: not the
# leader. The scripts that write (backups into the shared stanza, the heartbeat, the restore
# test) run on the leader only, so a diverged old primary never writes a backup.
dr_is_leader() {
  [[ "$(patroni_status /primary)" == "200" ]]
}

# The region of repository $1, from DR_REPOS ("1=us-east-1 2=us-west-2").
repo_region() {
  local entry
  for entry in $DR_REPOS; do
    if [[ "${entry%%=*}" == "$1" ]]; then
      printf '%s\n' "${entry#*=}"
      return 0
    fi
  done
  die "repository $1 is not listed in DR_REPOS ($DR_REPOS)"
}

repo_indexes() {
  local entry
  for entry in $DR_REPOS; do
    printf '%s\n' "${entry%%=*}"
  done
}

# repo_reachable N: whether repository N answers (a listing of its repo-path succeeds) within about
# 2 x DR_REPO_IO_TIMEOUT_SECONDS. pgBackRest retries a refused or silent endpoint until its
# io-timeout (connects inside requests); at the default 60 s one probe of a region that is
# down would take minutes.
repo_reachable() {
  as_postgres pgbackrest --config="$DR_PGBACKREST_CONFIG" --repo="$1" \
    --io-timeout="$DR_REPO_IO_TIMEOUT_SECONDS" repo-ls >/dev/null 2>&1
}

# config_without_repos FILE N...: writes to FILE the pgBackRest config without the lines of
# repositories N... (pgBackRest has no option to leave a configured repository out of a
# command, and `check` takes no --repo in 2.45: option `repo` lists check only for the remote
# role in src/build/config/config.yaml), readable by postgres.
config_without_repos() {
  local file="$1" pattern=""
  shift
  local repo
  for repo in "$@"; do
    pattern+="${pattern:+|}repo${repo}-"
  done
  if [[ -z "$pattern" ]]; then
    cat "$DR_PGBACKREST_CONFIG" >"$file"
  else
    grep -Ev "^(${pattern})" "$DR_PGBACKREST_CONFIG" >"$file"
  fi
  chmod 0640 "$file"
  if [[ "$(id -u)" == "0" ]]; then
    chgrp postgres "$file"
  fi
}

# The one place the AWS CLI is called. Tests put a recording `aws` first on PATH; the host
# uses the instance profile, so no credential ever appears here.
aws_cli() {
  aws "$@"
}

# The block configure-postgres.sh keeps in pg_hba.conf for the roles.
# shellcheck disable=SC2034 # used by configure-postgres.sh
readonly DR_ROLES_BEGIN="# BEGIN crazy-gary roles"
# shellcheck disable=SC2034 # used by configure-postgres.sh
readonly DR_ROLES_END="# END crazy-gary roles"

# dr_hba_errors: how many lines of the pg_hba.conf file on disk PostgreSQL cannot parse (a
# reload keeps the old rules when there is one).
dr_hba_errors() {
  dr_psql -c "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL"
}

# The pg_hba.conf file the running server reads.
dr_hba_file() {
  dr_psql -c "SHOW hba_file"
}

# One CloudWatch datum as JSON: metric_datum NAME VALUE UNIT REGION [DIMENSION=VALUE ...].
# Every datum carries the Environment and Region dimensions.
metric_datum() {
  local name="$1" value="$2" unit="$3" region="$4"
  shift 4
  local dimensions
  dimensions=$(printf '{"Name":"Environment","Value":"%s"},{"Name":"Region","Value":"%s"}' \
    "$DR_ENVIRONMENT" "$region")
  local extra
  for extra in "$@"; do
    dimensions+=$(printf ',{"Name":"%s","Value":"%s"}' "${extra%%=*}" "${extra#*=}")
  done
  printf '{"MetricName":"%s","Dimensions":[%s],"Value":%s,"Unit":"%s"}' \
    "$name" "$dimensions" "$value" "$unit"
}

# put_metric_data NAMESPACE REGION DATUM [DATUM ...]: publishes to CloudWatch in REGION.
put_metric_data() {
  local namespace="$1" region="$2"
  shift 2
  local data
  data=$(IFS=,; printf '[%s]' "$*")
  aws_cli cloudwatch put-metric-data --region "$region" --namespace "$namespace" \
    --metric-data "$data"
}

# Seconds since the epoch, now.
now_epoch() {
  date -u +%s
}

# The time the stack first configured this host (configure-postgres.sh writes it): ages of
# jobs that never ran are counted from here, so staleness alarms fire for them too.
installed_at_epoch() {
  local file="$DR_STATE_DIR/installed-at"
  if [[ -r "$file" ]]; then
    cat "$file"
  else
    now_epoch
  fi
}
