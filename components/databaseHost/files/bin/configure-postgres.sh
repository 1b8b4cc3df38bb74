#!/usr/bin/env bash
# configure-postgres.sh: hands this host's PostgreSQL to Patroni and does what Patroni does not;
# idempotent, run by the stack as root whenever the rendered files or the roles' secrets change.
#   - the roles' logins (domain/databaseRoles.ts): reads the roles' passwords from their Secrets
#     Manager secrets in this host's region (the passwords never appear on a command line or in
#     the stack's plan) into the postgres OS user's libpq password file (mode 0600: pgbackrest,
#     monitor, replicator), and keeps a block first in pg_hba.conf that asks those roles for them
#     (scram-sha-256): pgbackrest and monitor on the socket, replicator and rewinder from
#     DR_REPLICATION_CLIENTS. Patroni leaves pg_hba.conf alone (patroni.yml has no pg_hba:
#     domain/patroniConfig.ts), so the application's own lines stay as they are;
#   - Patroni's secrets: DR_PATRONI_ENV_FILE (mode 0600, root; Debian's patroni.service reads it
#     as its EnvironmentFile) with PATRONI_RESTAPI_USERNAME/PASSWORD (the REST API's secret),
#     PATRONI_REPLICATION_USERNAME/PASSWORD (replicator), PATRONI_REWIND_USERNAME/PASSWORD
#     (rewinder) and PATRONI_SUPERUSER_USERNAME=postgres, whose connections go over the Unix
#     socket by peer and need no password (Patroni's environment variables:
#     https://patroni.readthedocs.io/en/latest/ENVIRONMENT.html; they override patroni.yml);
#   - Patroni itself (Debian's patroni.service with the stack's drop-in). The first run adopts
#     the running PostgreSQL the way Patroni documents for existing data
#     (https://patroni.readthedocs.io/en/latest/existing_data.html; citations P6): Patroni
#     starts, finds PostgreSQL running and manages it; only then Debian's start.conf becomes
#     "manual", so boot no longer starts the cluster outside Patroni (what the patroni package's
#     own pg_createcluster_patroni does); the old path's ALTER SYSTEM archive settings are reset
#     (the postgresql.auto.conf they live in is read after Patroni's postgresql.conf and would
#     win); then PostgreSQL is restarted through Patroni (POST /restart) when its configuration
#     is out of date (GET /patroni "pending_restart", e.g. archive_mode=always) or Debian's
#     postgresql@ unit still holds it: the unit's postmaster ends, Patroni's runs. Later runs reload
#     Patroni (SIGHUP rereads patroni.yml: the nofailover tag, the parameters), or, when what it
#     was started with changed (its secrets, or its unit with the stack's drop-in), restart
#     Patroni in pause mode, in which "When Patroni is stopped, it does not try to stop the
#     Postgres instance it is managing" (https://patroni.readthedocs.io/en/latest/pause.html):
#     systemd reads the EnvironmentFile "shortly before the process is executed" (systemd.exec(5))
#     and applies a changed unit at the next start, so a reload would leave both unapplied;
#   - PATCH /config with DR_PATRONI_DYNAMIC_CONFIG (ttl, loop_wait, retry_timeout,
#     maximum_lag_on_failover), so stack config keeps governing the cluster-wide settings
#     (https://patroni.readthedocs.io/en/latest/dynamic_configuration.html);
#   - on the leader (Patroni's GET /primary): the heartbeat table and its single row,
#     `pgbackrest stanza-create` (a no-op when the stanza exists) and `pgbackrest check` (a WAL
#     segment reaches every repository). A repository that does not answer (its region's S3 is
#     down) is left out of stanza-create and check with a WARNING, so a flip during a region
#     outage deploys; with no repository answering the script fails
#     (docs/runbooks/region-outage-wal.md);
#   - records the install time used by monitor.sh for jobs that never ran.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dr_load_env

# How long Patroni may take to answer after a start, a reload or a restart, in seconds (it
# waits for the etcd quorum and for PostgreSQL to accept connections).
WAIT_FOR_PATRONI_SECONDS=300

# pgBackRest on the repositories that answer (a config without the others, written below).
checked_pgbackrest() {
  as_postgres pgbackrest --config="$checked_config" --stanza="$DR_STANZA" "$@"
}

# Repositories where the stanza is missing (pgbackrest info status 1 "missing stanza path" or
# 3 "missing stanza data"), one index per line.
repos_without_stanza() {
  local info
  info=$(checked_pgbackrest --output=json info)
  json_sql "$info" "SELECT r->>'key' FROM doc, json_array_elements(doc.j) AS s, json_array_elements(s->'repo') AS r
WHERE (r->'status'->>'code')::int IN (1, 3) ORDER BY 1;"
}

# stanza-create only where the stanza is missing: it takes the archive lock, which the async
# archive-push holds while it pushes (every minute here), so it is retried on that lock
# (pgBackRest error 50) a few times rather than failing the deployment.
ensure_stanza() {
  local missing attempt status
  missing=$(repos_without_stanza)
  if [[ -z "$missing" ]]; then
    log "stanza $DR_STANZA exists in every repository"
    return 0
  fi
  log "stanza $DR_STANZA missing in repo(s) $(echo "$missing" | tr '\n' ' ')- creating it"
  for attempt in 1 2 3 4 5 6; do
    status=0
    checked_pgbackrest stanza-create || status=$?
    if ((status == 0)); then
      return 0
    fi
    if ((status != 50 || attempt == 6)); then
      die "pgbackrest stanza-create failed (exit $status)"
    fi
    log "pgBackRest's archive lock is held (an archive-push is running); retrying in 5 s"
    sleep 5
  done
}

# secret_document NAME: the SecretString of secret NAME, read in this host's region: the
# primary region's secret there, its replica in the other region, so either region reads it
# alone. The AWS CLI prints it on its stdout, which only this shell reads; the host role may read
# exactly these secrets (components/databaseHostIam.ts).
secret_document() {
  aws_cli secretsmanager get-secret-value --region "$DR_REGION" --secret-id "$1" \
    --query SecretString --output text ||
    die "cannot read secret $1 in $DR_REGION: the host's instance role needs secretsmanager:GetSecretValue on it (components/databaseHostIam.ts)"
}

# secret_field DOCUMENT FIELD SECRET: FIELD of a secret's JSON document ({"username": ...,
# "password": ...}, written by the DatabaseRoles and PatroniRestCredentials components), which
# holds letters and digits only (the generated passwords, the role names).
secret_field() {
  local pattern="\"$2\"[[:space:]]*:[[:space:]]*\"([A-Za-z0-9_]+)\""
  if [[ ! "$1" =~ $pattern ]]; then
    die "secret $3 holds no \"$2\" of letters and digits; it is written by the stack (pulumi up)"
  fi
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# The roles' passwords by role, read once.
declare -A role_password=()
read_role_passwords() {
  local entry
  for entry in $DR_ROLE_SECRETS; do
    role_password[${entry%%=*}]=$(secret_field "$(secret_document "${entry#*=}")" password "${entry#*=}")
  done
}

# install_secret_file FILE OWNER CONTENT: writes CONTENT to FILE with mode 0600 for OWNER,
# renamed over the old file; sets file_changed to true or false. Written through stdin (printf is
# a shell builtin), so the secrets never reach a command line.
install_secret_file() {
  local file="$1" owner="$2" content="$3" tmp="$1.crazy-gary.$$"
  run_as() {
    if [[ "$owner" == "root" || "$(id -un)" == "$owner" ]]; then "$@"; else runuser -u "$owner" -- "$@"; fi
  }
  # shellcheck disable=SC2016 # $1 is expanded by the inner sh
  printf '%s' "$content" | run_as sh -c 'umask 077 && cat >"$1"' sh "$tmp"
  if run_as cmp -s -- "$tmp" "$file"; then
    run_as rm -f -- "$tmp"
    file_changed=false
  else
    run_as mv -f -- "$tmp" "$file"
    file_changed=true
  fi
}

# write_password_file: the libpq password file (DR_PGPASSFILE, owned by postgres, 0600) with one
# line per role the scripts and pgBackRest log in as, for the database that role logs into
# (https://www.postgresql.org/docs/15/libpq-pgpass.html: "hostname:port:database:username:password";
# libpq ignores the file unless it is 0600 or stricter; "replication" matches physical
# replication connections). Prints whether it changed, never what it holds.
write_password_file() {
  local entry role database content="" roles=""
  for entry in $DR_ROLE_SECRETS; do
    role="${entry%%=*}"
    case "$role" in
      pgbackrest) database="$DR_PGBACKREST_DATABASE" ;;
      monitor) database="$DR_DATABASE" ;;
      replicator) database="replication" ;;
      # Patroni's rewind user: its password goes to Patroni's environment only.
      "$DR_PATRONI_REWIND_ROLE") continue ;;
      *) die "setting DR_ROLE_SECRETS names role '$role'; allowed: pgbackrest, monitor, replicator, $DR_PATRONI_REWIND_ROLE" ;;
    esac
    roles+="${roles:+, }$role"
    content+="*:*:${database}:${role}:${role_password[$role]}"$'\n'
  done
  install_secret_file "$DR_PGPASSFILE" postgres "$content"
  if [[ "$file_changed" == "true" ]]; then
    log "password file $DR_PGPASSFILE written from Secrets Manager (roles: $roles)"
  else
    log "password file $DR_PGPASSFILE unchanged (roles: $roles)"
  fi
}

# write_patroni_env: Patroni's secrets (see the header). Sets patroni_env_changed, and keeps the
# REST API's credentials (new, and those Patroni still runs with) for the calls below.
write_patroni_env() {
  local rest
  rest=$(secret_document "$DR_PATRONI_REST_SECRET")
  rest_user=$(secret_field "$rest" username "$DR_PATRONI_REST_SECRET")
  rest_password=$(secret_field "$rest" password "$DR_PATRONI_REST_SECRET")
  running_rest_user="$rest_user"
  running_rest_password="$rest_password"
  if [[ -r "$DR_PATRONI_ENV_FILE" ]]; then
    running_rest_user=$(sed -n 's/^PATRONI_RESTAPI_USERNAME=//p' "$DR_PATRONI_ENV_FILE")
    running_rest_password=$(sed -n 's/^PATRONI_RESTAPI_PASSWORD=//p' "$DR_PATRONI_ENV_FILE")
  fi
  install_secret_file "$DR_PATRONI_ENV_FILE" root "# Patroni's secrets, written by configure-postgres.sh (pulumi up) from Secrets Manager.
PATRONI_RESTAPI_USERNAME=$rest_user
PATRONI_RESTAPI_PASSWORD=$rest_password
PATRONI_SUPERUSER_USERNAME=postgres
PATRONI_REPLICATION_USERNAME=$DR_PATRONI_REPLICATION_ROLE
PATRONI_REPLICATION_PASSWORD=${role_password[$DR_PATRONI_REPLICATION_ROLE]}
PATRONI_REWIND_USERNAME=$DR_PATRONI_REWIND_ROLE
PATRONI_REWIND_PASSWORD=${role_password[$DR_PATRONI_REWIND_ROLE]}
"
  patroni_env_changed="$file_changed"
  if [[ "$patroni_env_changed" == "true" ]]; then
    log "Patroni's environment $DR_PATRONI_ENV_FILE written from Secrets Manager"
  else
    log "Patroni's environment $DR_PATRONI_ENV_FILE unchanged"
  fi
}

# The roles block: each role only from where it connects, only to its database, with its password.
roles_hba_block() {
  local address
  printf '%s\n' "$DR_ROLES_BEGIN" \
    "# Written by configure-postgres.sh (pulumi up); passwords in $DR_PGPASSFILE and $DR_PATRONI_ENV_FILE." \
    "local $DR_PGBACKREST_DATABASE pgbackrest scram-sha-256" \
    "local $DR_DATABASE monitor scram-sha-256"
  for address in $DR_REPLICATION_CLIENTS; do
    printf 'host replication %s %s scram-sha-256\n' "$DR_PATRONI_REPLICATION_ROLE" "$address"
    # pg_rewind of a returning old leader reads the new leader's files through these functions,
    # connected to Patroni's database, postgres.
    printf 'host postgres %s %s scram-sha-256\n' "$DR_PATRONI_REWIND_ROLE" "$address"
  done
  printf '%s\n' "$DR_ROLES_END"
}

# write_roles_hba: puts the roles block first in pg_hba.conf (the first matching line decides:
# https://www.postgresql.org/docs/15/auth-pg-hba-conf.html), replacing an older roles block,
# and reloads the server when it changed.
write_roles_hba() {
  local hba tmp
  hba=$(dr_hba_file)
  tmp="${hba}.crazy-gary-roles.$$"
  cp -p -- "$hba" "$tmp"
  awk -v begin="$DR_ROLES_BEGIN" -v end="$DR_ROLES_END" -v block="$(roles_hba_block)" '
    BEGIN { print block }
    $0 == begin { skip = 1; next }
    skip { if ($0 == end) skip = 0; next }
    { print }' "$hba" >"$tmp"
  if cmp -s -- "$tmp" "$hba"; then
    rm -f -- "$tmp"
    log "pg_hba.conf roles block unchanged ($hba)"
    return 0
  fi
  mv -f -- "$tmp" "$hba"
  if [[ "$(dr_hba_errors)" != "0" ]]; then
    die "$hba has line(s) PostgreSQL cannot parse (see pg_hba_file_rules): fix the file and run configure-postgres.sh again"
  fi
  dr_psql -c "SELECT pg_reload_conf()" >/dev/null
  log "pg_hba.conf roles block written ($hba) and reloaded: pgbackrest, monitor, $DR_PATRONI_REPLICATION_ROLE and $DR_PATRONI_REWIND_ROLE log in with their passwords"
}

# patroni_call USER PASSWORD METHOD PATH [JSON]: an unsafe REST call with basic auth, the
# credentials handed to curl on stdin (never on a command line); prints the answer.
patroni_call() {
  local user="$1" password="$2" method="$3" path="$4" body="${5:-}"
  local args=(--silent --show-error --fail --max-time 120 --cacert "$DR_PATRONI_CA" -X "$method")
  if [[ -n "$body" ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary "$body")
  fi
  printf 'user = "%s:%s"\n' "$user" "$password" | curl --config - "${args[@]}" "$DR_PATRONI_URL$path"
}

# patroni_state: GET /patroni's document (state, role, pending_restart), empty when nothing answers.
patroni_state() {
  curl --silent --max-time 5 --cacert "$DR_PATRONI_CA" "$DR_PATRONI_URL/patroni" || true
}

# wait_for_patroni WHAT: until Patroni reports PostgreSQL "running" (GET /patroni).
wait_for_patroni() {
  local deadline=$(($(now_epoch) + WAIT_FOR_PATRONI_SECONDS))
  until [[ "$(patroni_state)" =~ \"state\":\ *\"running\" ]]; do
    if (($(now_epoch) > deadline)); then
      die "Patroni did not report PostgreSQL running within ${WAIT_FOR_PATRONI_SECONDS} s after $1 (journalctl -u $DR_PATRONI_UNIT)"
    fi
    sleep 2
  done
}

# wait_for_patroni_config: until the configuration files the server reads are the ones Patroni
# wrote (Patroni sets cluster_name to its scope in its postgresql.conf, patroni/postgresql/config.py
# in 3.0.2; pg_file_settings parses the files as they are on disk), so what needs a restart is
# judged against Patroni's settings, not the old ones.
wait_for_patroni_config() {
  local deadline=$(($(now_epoch) + WAIT_FOR_PATRONI_SECONDS))
  until [[ "$(dr_psql -c "SELECT setting FROM pg_file_settings WHERE name = 'cluster_name' ORDER BY seqno DESC LIMIT 1" 2>/dev/null || true)" == "$DR_PATRONI_SCOPE" ]]; do
    if (($(now_epoch) > deadline)); then
      die "Patroni has not written its postgresql.conf (cluster_name $DR_PATRONI_SCOPE) ${WAIT_FOR_PATRONI_SECONDS} s after it started (journalctl -u $DR_PATRONI_UNIT)"
    fi
    sleep 2
  done
}

# pending_restart: succeeds when a setting waits for a restart, as Patroni (GET /patroni) or
# PostgreSQL itself says: pg_file_settings marks a file's value of a start-only setting that
# differs from the running one "setting could not be applied", with no reload needed.
pending_restart() {
  [[ "$(patroni_state)" =~ \"pending_restart\":\ *true ]] ||
    [[ "$(dr_psql -c "SELECT count(*) FROM pg_file_settings WHERE error = 'setting could not be applied'")" != "0" ]]
}

# Debian's start.conf of the cluster: "manual", so the postgresql-generator no longer makes
# postgresql.service start it at boot (/lib/systemd/system-generators/postgresql-generator
# starts clusters whose start.conf says "auto"); Patroni starts it now.
start_conf_manual() {
  local file="$DR_PG_CONFIG_DIR/start.conf"
  if [[ "$(sed 's/#.*$//; /^[[:space:]]*$/d' "$file" 2>/dev/null | tr -d '[:space:]')" != "manual" ]]; then
    printf '# Written by configure-postgres.sh: Patroni (%s) starts this cluster.\nmanual\n' "$DR_PATRONI_UNIT" >"$file"
    log "$file set to manual: $DR_PATRONI_UNIT starts PostgreSQL, not postgresql.service"
  fi
}

# reset_old_archive_settings: removes what the old path set with ALTER SYSTEM
# (postgresql.auto.conf is read after postgresql.conf, where Patroni writes its parameters).
reset_old_archive_settings() {
  local name reset=""
  for name in archive_mode archive_command archive_timeout; do
    # psql interpolates :'name' only in its input, never in a -c command.
    if [[ -n "$(dr_psql -v name="$name" <<<"SELECT 1 FROM pg_file_settings WHERE name = :'name' AND sourcefile LIKE '%/postgresql.auto.conf';")" ]]; then
      dr_psql -c "ALTER SYSTEM RESET $name"
      reset+=" $name"
    fi
  done
  if [[ -n "$reset" ]]; then
    dr_psql -c "SELECT pg_reload_conf()" >/dev/null
    log "reset the ALTER SYSTEM settings of the old path:$reset (Patroni sets them from patroni.yml)"
  fi
}

# What Patroni's process reads only when it starts, as a digest: its unit as systemd would start
# it now (`systemctl cat`: the package's unit and every drop-in, the stack's among them, as on
# disk) and its environment file. Kept in START_RECORD_FILE at each start or restart; the
# file holds a digest, no secret.
START_RECORD_FILE="$DR_STATE_DIR/patroni-started-with"
patroni_start_inputs() {
  { systemctl cat "$DR_PATRONI_UNIT" 2>/dev/null || true; cat -- "$DR_PATRONI_ENV_FILE"; } | sha256sum | cut -d' ' -f1
}
record_patroni_start() {
  printf '%s\n' "$started_with" >"$START_RECORD_FILE"
}

# run_patroni: adopts, reloads or restarts Patroni (see the header), then restarts PostgreSQL
# through Patroni when its configuration is out of date.
run_patroni() {
  local started_with what
  started_with=$(patroni_start_inputs)
  if systemctl is-active --quiet "$DR_PATRONI_UNIT"; then
    if [[ "$(cat -- "$START_RECORD_FILE" 2>/dev/null || true)" != "$started_with" ]]; then
      if [[ ! -f "$START_RECORD_FILE" ]]; then
        what="unit and environment (no record of what it was started with)"
      elif [[ "$patroni_env_changed" == "true" ]]; then
        what="environment"
      else
        what="unit ($DR_PATRONI_UNIT with its drop-ins)"
      fi
      patroni_call "$running_rest_user" "$running_rest_password" PATCH /config '{"pause": true}' >/dev/null
      systemctl daemon-reload
      systemctl restart "$DR_PATRONI_UNIT"
      record_patroni_start
      wait_for_patroni "a restart in pause mode"
      patroni_call "$rest_user" "$rest_password" PATCH /config '{"pause": false}' >/dev/null
      log "restarted $DR_PATRONI_UNIT in pause mode (PostgreSQL kept running) for its new $what"
    else
      systemctl daemon-reload
      systemctl reload "$DR_PATRONI_UNIT"
      wait_for_patroni "a reload"
      log "reloaded $DR_PATRONI_UNIT (patroni.yml reread)"
    fi
  else
    systemctl daemon-reload
    systemctl enable --now "$DR_PATRONI_UNIT"
    record_patroni_start
    wait_for_patroni "its start"
    log "started $DR_PATRONI_UNIT: Patroni manages this host's PostgreSQL"
  fi
  wait_for_patroni_config
  start_conf_manual
  reset_old_archive_settings
  local reason=""
  if pending_restart; then
    reason="its configuration is out of date (pending_restart)"
  elif [[ -n "$DR_PG_SERVICE" ]] && systemctl is-active --quiet "$DR_PG_SERVICE"; then
    reason="$DR_PG_SERVICE still holds it (adopted running)"
  fi
  if [[ -n "$reason" ]]; then
    log "PostgreSQL: $reason: restarting it through Patroni"
    patroni_call "$rest_user" "$rest_password" POST /restart '{}' >/dev/null
    wait_for_patroni "POST /restart"
    log "PostgreSQL restarted by Patroni${DR_PG_SERVICE:+ ($DR_PG_SERVICE has ended)}"
  fi
}

# Folders the timers' scripts and pgBackRest write to, owned by postgres.
for dir in "$DR_STATE_DIR" $DR_PGBACKREST_DIRS; do
  if [[ ! -d "$dir" ]]; then
    if [[ "$(id -u)" == "0" ]]; then
      install -d -o postgres -g postgres -m 0750 "$dir"
    else
      mkdir -p "$dir"
    fi
  fi
done

read_role_passwords
write_password_file
write_patroni_env
write_roles_hba
run_patroni
patroni_call "$rest_user" "$rest_password" PATCH /config "$(cat "$DR_PATRONI_DYNAMIC_CONFIG")" >/dev/null
log "Patroni's dynamic configuration set from $DR_PATRONI_DYNAMIC_CONFIG (PATCH /config)"

if dr_is_leader; then
  if [[ "$(dr_in_recovery)" != "f" ]]; then
    die "Patroni says this host leads but PostgreSQL on it is in recovery (a promotion under way?): run pulumi up again"
  fi
  dr_psql -v schema="${DR_HEARTBEAT_TABLE%%.*}" >/dev/null <<SQL
CREATE SCHEMA IF NOT EXISTS :"schema";
CREATE TABLE IF NOT EXISTS ${DR_HEARTBEAT_TABLE} (
  id integer PRIMARY KEY CHECK (id = 1),
  beat_at timestamptz NOT NULL
);
INSERT INTO ${DR_HEARTBEAT_TABLE} (id, beat_at) VALUES (1, clock_timestamp())
  ON CONFLICT (id) DO NOTHING;
-- The monitor measures replication lag from this row on the standby (monitor.sh).
GRANT USAGE ON SCHEMA :"schema" TO monitor;
GRANT SELECT ON ${DR_HEARTBEAT_TABLE} TO monitor;
SQL
  log "heartbeat table ${DR_HEARTBEAT_TABLE} ready"
  reachable=()
  unreachable=()
  for repo in $(repo_indexes); do
    if repo_reachable "$repo"; then
      reachable+=("$repo")
    else
      unreachable+=("$repo")
      log "WARNING: repo$repo ($(repo_region "$repo")) does not answer within ${DR_REPO_IO_TIMEOUT_SECONDS} s: left out of stanza-create and check; WAL keeps reaching the other repositories, PostgreSQL queues it for this one (docs/runbooks/region-outage-wal.md)"
    fi
  done
  if ((${#reachable[@]} == 0)); then
    die "no repository answers (repos: $DR_REPOS): WAL cannot be archived anywhere; check the hosts' S3 access"
  fi
  checked_config="$DR_STATE_DIR/pgbackrest-reachable.conf"
  config_without_repos "$checked_config" "${unreachable[@]}"
  ensure_stanza
  # While a repository is down each async archive-push run first waits out its io-timeout, so
  # the switched segment may need two runs to reach the others: wait up to the RPO (5 x
  # archive_timeout) rather than pgBackRest's default 60 s.
  checked_pgbackrest --archive-timeout="$((DR_ARCHIVE_TIMEOUT_SECONDS * 5))" check
  if ((${#unreachable[@]} == 0)); then
    log "stanza $DR_STANZA ready and checked: WAL reaches every repository"
  else
    log "stanza $DR_STANZA ready and checked: WAL reaches repo(s) ${reachable[*]}; NOT repo(s) ${unreachable[*]}, which do not answer"
  fi
else
  log "not the leader (Patroni's GET /primary is not 200 here): stanza-create and check run on the leader"
fi

if [[ ! -f "$DR_STATE_DIR/installed-at" ]]; then
  now_epoch | as_postgres tee "$DR_STATE_DIR/installed-at" >/dev/null
fi
