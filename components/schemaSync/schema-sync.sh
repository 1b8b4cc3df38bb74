#!/usr/bin/env bash
# schema-sync.sh: runbook "Database Schema Synchronization" (sync-database-schema.sh), made
# safe to rerun. Copies prod's database schema (never data) into the dr database; used by
# the dr stack.
#
# Contract: inputs ONLY through environment variables (never arguments), so connection
# secrets stay off command lines, out of `ps` and out of this script's output.
#   SOURCE_HOST, SOURCE_PORT, SOURCE_DATABASE, SOURCE_USER   required (prod)
#   SOURCE_PASSWORD                                          optional
#   SOURCE_PASSWORD_SECRET_ARN  optional, when SOURCE_PASSWORD is unset: a Secrets Manager
#                             secret {"username","password"} read with the AWS CLI (and jq)
#                             using the caller's AWS credentials; its region comes from the ARN
#   TARGET_HOST, TARGET_PORT, TARGET_DATABASE, TARGET_USER   required (dr)
#   TARGET_PASSWORD                                          optional
#   CONNECT_TIMEOUT_SECONDS   libpq connect timeout, 2-600; default 10
#   SCHEMA_SYNC_MODE          "sync" (default): sync as below; "version": print the source's
#                             schema version and change nothing (TARGET_* not needed)
#   Other libpq variables (PGSSLMODE, PGSSLROOTCERT, ...) pass through.
# Output: a line "schema-sync: schema version sha256:<hex>" (the hash of the source's
# normalized schema dump, so a stack can trigger on it), then what was done.
#
# How it stays safe and rerunnable (no DROP, no data statement, ever):
#   1. Dump both schemas with `pg_dump --schema-only` (no owners, privileges, tablespaces,
#      publications, subscriptions or security labels: dr has its own roles) and normalize
#      them (comment lines, blank lines and pg_dump's per-run \restrict keys removed).
#   2. Equal: nothing to do, exit 0. This is what a rerun finds.
#   3. The target has tables (outside pg_catalog, information_schema and pg_toast) that the
#      source lacks: refuse, print their names, change nothing, exit 3. Schema sync never
#      removes anything, and such tables may hold dr-only data.
#   4. Otherwise create only what the target lacks: the source's archive listing
#      (`pg_restore -l`) is filtered to the entries whose object (schema, table, view,
#      sequence, index, constraint, default, trigger, type, function...) does not exist on
#      the target, and that list is restored with `pg_restore --single-transaction
#      --exit-on-error`: every missing object is created, or (on any error) none is.
#      Objects that exist are never altered, so rows already in the target are untouched.
#   5. Dump the target again: equal to the source, done (exit 0). Still different (an object
#      that exists on both sides differs, e.g. a column added on prod): print the differing
#      lines and exit 5; such drift needs the application's migrations, not a schema copy.
# Exit codes: 0 synced or nothing to do, 3 refused (extra tables), 4 restore failed and was
# rolled back, 5 schema drift remains, 64 bad input, 65 the password secret could not be read,
# other: a connection or dump failure.
set -euo pipefail

say() { printf 'schema-sync: %s\n' "$*"; }
fail() {
  local code=$1
  shift
  printf 'schema-sync: ERROR: %s\n' "$*" >&2
  exit "$code"
}

SCHEMA_SYNC_MODE="${SCHEMA_SYNC_MODE:-sync}"
case "$SCHEMA_SYNC_MODE" in
  sync) sides=(SOURCE TARGET) ;;
  version) sides=(SOURCE) ;;
  *) fail 64 "SCHEMA_SYNC_MODE='${SCHEMA_SYNC_MODE}' is not allowed; allowed: sync, version" ;;
esac
for side in "${sides[@]}"; do
  for field in HOST PORT DATABASE USER; do
    var="${side}_${field}"
    if [[ -z "${!var:-}" ]]; then
      fail 64 "environment variable ${var} is required (see the contract at the top of schema-sync.sh)"
    fi
  done
  port_var="${side}_PORT"
  if ! [[ "${!port_var}" =~ ^[0-9]+$ ]] || ((10#${!port_var} < 1 || 10#${!port_var} > 65535)); then
    fail 64 "${port_var}='${!port_var}' is not a TCP port; allowed: an integer from 1 to 65535"
  fi
done
CONNECT_TIMEOUT_SECONDS="${CONNECT_TIMEOUT_SECONDS:-10}"
if ! [[ "$CONNECT_TIMEOUT_SECONDS" =~ ^[0-9]+$ ]] || ((10#$CONNECT_TIMEOUT_SECONDS < 2 || 10#$CONNECT_TIMEOUT_SECONDS > 600)); then
  fail 64 "CONNECT_TIMEOUT_SECONDS='${CONNECT_TIMEOUT_SECONDS}' is not allowed; allowed: whole seconds from 2 to 600"
fi

# The source's password from Secrets Manager (the dr deploy on a CI runner): fetched here, at
# run time, so it never sits in a stack's state, a command line or a home directory.
if [[ -z "${SOURCE_PASSWORD:-}" && -n "${SOURCE_PASSWORD_SECRET_ARN:-}" ]]; then
  if ! [[ "$SOURCE_PASSWORD_SECRET_ARN" =~ ^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):[0-9]{12}:secret:.+$ ]]; then
    fail 64 "SOURCE_PASSWORD_SECRET_ARN='${SOURCE_PASSWORD_SECRET_ARN}' is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)"
  fi
  secret_region="${BASH_REMATCH[1]}"
  for tool in aws jq; do
    command -v "$tool" >/dev/null || fail 64 "SOURCE_PASSWORD_SECRET_ARN is set but '${tool}' is not on PATH; install the AWS CLI and jq where pulumi up runs (GitHub's ubuntu runners have both)"
  done
  secret_json=$(aws secretsmanager get-secret-value --region "$secret_region" --secret-id "$SOURCE_PASSWORD_SECRET_ARN" --query SecretString --output text) ||
    fail 65 "could not read ${SOURCE_PASSWORD_SECRET_ARN} (the deploy role needs secretsmanager:GetSecretValue on it, and kms:Decrypt on its key)"
  SOURCE_PASSWORD=$(jq -er .password <<<"$secret_json") || fail 65 "${SOURCE_PASSWORD_SECRET_ARN} holds no \"password\" field"
  unset secret_json
  export SOURCE_PASSWORD
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# on SIDE COMMAND ARGS...: runs a libpq client against SIDE (SOURCE or TARGET); the password
# reaches the client through PGPASSWORD in its own environment only.
on() {
  local host_var="${1}_HOST" port_var="${1}_PORT" db_var="${1}_DATABASE" user_var="${1}_USER" pw_var="${1}_PASSWORD"
  shift
  PGHOST="${!host_var}" PGPORT="${!port_var}" PGDATABASE="${!db_var}" PGUSER="${!user_var}" \
    PGPASSWORD="${!pw_var:-}" PGCONNECT_TIMEOUT="$CONNECT_TIMEOUT_SECONDS" PGAPPNAME="crazy-gary-schema-sync" "$@"
}

# sql SIDE: runs the SQL on stdin against SIDE, stopping at the first error; unaligned rows.
sql() { on "$1" psql --no-psqlrc --quiet --no-align --tuples-only --set ON_ERROR_STOP=1 --file -; }

readonly DUMP_OPTIONS=(--schema-only --no-owner --no-privileges --no-tablespaces --no-publications --no-subscriptions --no-security-labels)

# normalized_schema SIDE FILE: writes SIDE's schema as plain SQL without comments, blank lines
# or \restrict keys (which pg_dump draws at random on every run).
normalized_schema() {
  on "$1" pg_dump "${DUMP_OPTIONS[@]}" --format=plain >"$2.raw"
  grep -v -E '^(--|\\restrict |\\unrestrict |$)' "$2.raw" >"$2" || true
}

# user_tables SIDE: schema-qualified names of SIDE's tables outside the system schemas, sorted.
user_tables() {
  sql "$1" <<'SQL' | LC_ALL=C sort
SELECT n.nspname || '.' || c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'f')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%';
SQL
}

normalized_schema SOURCE "$work/source.sql"
version=$(sha256sum "$work/source.sql" | cut -d' ' -f1)
say "schema version sha256:${version}"
if [[ "$SCHEMA_SYNC_MODE" == version ]]; then
  exit 0
fi
normalized_schema TARGET "$work/target.sql"

if cmp -s "$work/source.sql" "$work/target.sql"; then
  say "target ${TARGET_DATABASE} (${TARGET_HOST}:${TARGET_PORT}) already has this schema; nothing to do"
  exit 0
fi

user_tables SOURCE >"$work/source.tables"
user_tables TARGET >"$work/target.tables"
extra=$(LC_ALL=C comm -13 "$work/source.tables" "$work/target.tables" | paste -sd, - | sed 's/,/, /g')
if [[ -n "$extra" ]]; then
  fail 3 "refusing to sync: target ${TARGET_DATABASE} (${TARGET_HOST}:${TARGET_PORT}) has tables the source does not: ${extra}." \
    "Nothing was changed. Schema sync never drops anything; remove or keep them by hand, then rerun."
fi

# The source schema as an archive, and its listing with the entries that exist on the target
# commented out (";"), so pg_restore creates only what is missing.
on SOURCE pg_dump "${DUMP_OPTIONS[@]}" --format=custom --file="$work/source.dump"
pg_restore --list "$work/source.dump" | grep -v -E '^(;|$)' >"$work/toc.all"

# existing_entries: dump ids of listing entries whose object already exists on the target.
existing_entries() {
  {
    # An empty search_path makes format_type() qualify names as pg_dump's listing does.
    printf '%s\n' "SET search_path = '';" 'CREATE TEMPORARY TABLE schema_sync_toc (line text);' 'COPY schema_sync_toc FROM STDIN;'
    sed -e 's/\\/\\\\/g' -e 's/\t/\\t/g' "$work/toc.all"
    printf '%s\n' '\.'
    cat <<'SQL'
WITH parsed AS (
  SELECT m[1] AS id, m[2] AS kind, m[3] AS nsp, m[4] AS tag
    FROM schema_sync_toc,
         regexp_match(line, '^(\d+); \d+ \d+ (FK CONSTRAINT|CHECK CONSTRAINT|SEQUENCE OWNED BY|MATERIALIZED VIEW|FOREIGN TABLE|TABLE ATTACH|INDEX ATTACH|[A-Z]+) (\S+) (.*) \S*$') AS m
), entry AS (
  SELECT id, kind, nsp, tag,
         quote_ident(nsp) || '.' AS q,
         to_regclass(quote_ident(nsp) || '.' || quote_ident(split_part(tag, ' ', 1))) AS rel,
         substr(tag, strpos(tag, ' ') + 1) AS member
    FROM parsed
)
SELECT id FROM entry WHERE CASE
  WHEN kind = 'SCHEMA' THEN EXISTS (SELECT FROM pg_namespace WHERE nspname = tag)
  WHEN kind = 'EXTENSION' THEN EXISTS (SELECT FROM pg_extension WHERE extname = tag)
  WHEN kind IN ('TABLE', 'VIEW', 'MATERIALIZED VIEW', 'SEQUENCE', 'INDEX', 'FOREIGN TABLE')
    THEN to_regclass(q || quote_ident(tag)) IS NOT NULL
  WHEN kind = 'DEFAULT' THEN EXISTS (
    SELECT FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
     WHERE d.adrelid = rel AND a.attname = member)
  WHEN kind IN ('CONSTRAINT', 'FK CONSTRAINT', 'CHECK CONSTRAINT')
    THEN EXISTS (SELECT FROM pg_constraint WHERE conrelid = rel AND conname = member)
  WHEN kind = 'TRIGGER' THEN EXISTS (SELECT FROM pg_trigger WHERE tgrelid = rel AND tgname = member)
  WHEN kind IN ('TYPE', 'DOMAIN') THEN to_regtype(q || quote_ident(tag)) IS NOT NULL
  WHEN kind IN ('FUNCTION', 'PROCEDURE', 'AGGREGATE') THEN EXISTS (
    SELECT FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = nsp
       AND tag = p.proname || '(' || coalesce((
             SELECT string_agg(format_type(a.t, NULL), ', ' ORDER BY a.ord)
               FROM unnest(p.proargtypes) WITH ORDINALITY AS a(t, ord)), '') || ')')
  ELSE false -- comments, ownership links and kinds not known here: restore them (idempotent or new)
END;
SQL
  } | sql TARGET
}

existing_entries >"$work/existing.ids"
awk 'FILENAME == ARGV[1] { skip[$1] = 1; next } { id = $1; sub(/;$/, "", id); print (id in skip ? ";" : "") $0 }' \
  "$work/existing.ids" "$work/toc.all" >"$work/toc.missing"
missing=$(grep -c -v '^;' "$work/toc.missing" || true)
say "target lacks ${missing} of the source's $(wc -l <"$work/toc.all") schema objects; creating them in one transaction"

if ((missing > 0)); then
  if ! restore_errors=$(on TARGET pg_restore --single-transaction --exit-on-error --no-owner --no-privileges \
    --use-list="$work/toc.missing" --dbname="$TARGET_DATABASE" "$work/source.dump" 2>&1); then
    fail 4 "creating the missing objects failed and was rolled back (nothing changed): ${restore_errors}"
  fi
fi

normalized_schema TARGET "$work/target.sql"
if ! cmp -s "$work/source.sql" "$work/target.sql"; then
  say "objects that exist on both sides differ (lines only in source '<', only in target '>'):"
  diff "$work/source.sql" "$work/target.sql" | grep -E '^[<>]' | head -n 40 || true
  fail 5 "schema drift remains in ${TARGET_DATABASE} after creating the missing objects; apply the application's migrations to the target"
fi
say "target ${TARGET_DATABASE} (${TARGET_HOST}:${TARGET_PORT}) now has schema version sha256:${version}; tables: $(paste -sd, "$work/source.tables" | sed 's/,/, /g')"
