/**
 * Stand-ins for `pulumi`, `aws`, `dig` and `ssh`, put first on the drill runner's PATH: small
 * shell scripts that record their arguments (one file per call, one argument per line) and
 * act on two real PostgreSQL clusters as the real programs would act on the dr stack:
 * - `pulumi config get` answers from the stack's settings (JSON for objects); `config set
 *   activeRegion` keeps the value; `pulumi up` runs the real promote.sh from the old active
 *   side to the new one, and only after it succeeded lets DNS answer with the new side.
 * - `dig +short NAME` answers the active side's endpoint (a CNAME target, or the load
 *   balancer's address for an alias), or always the primary's while DNS is "stuck".
 * - `ssh` rebuilds a host's cluster as a standby of the other (what failback.md step 2 does
 *   there: stop, restore as a standby, start) when its script restores `--type=standby`.
 * - `aws` succeeds.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readPromoteScript } from "../../components/promotion";
import { LOOPBACK, PG_BIN, type PgNode } from "../../dev/postgres/cluster";
import { promotionEnv } from "../../dev/postgres/promotion";

export interface FakeSide {
  node: PgNode;
  region: string;
  /** The host's fence.sh command line (DrHost.commandLine). */
  fenceCommand: string;
  sshHost: string;
}

export interface DrillFakes {
  binDir: string;
  /** Every call so far, oldest first: [program, ...args]. */
  calls(): Promise<string[][]>;
  /** Makes `dig` answer the primary's endpoints whatever happened (a DNS change that never lands). */
  stickDns(stuck: boolean): Promise<void>;
  activeRole(): Promise<string>;
}

const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
const exports = (env: Record<string, string | undefined>) =>
  Object.entries(env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `export ${k}=${q(v!)}`)
    .join("\n");

/** Writes the four programs into `dir` (a sandbox folder) for the pair `primary` / `secondary`. */
export async function installDrillFakes(dir: string, sides: { primary: FakeSide; secondary: FakeSide }, password: string, zone: string): Promise<DrillFakes> {
  const bin = join(dir, "bin");
  const calls = join(dir, "calls");
  const state = join(dir, "state");
  const { mkdir } = await import("node:fs/promises");
  for (const d of [bin, calls, state]) await mkdir(d, { recursive: true });
  await writeFile(join(state, "active"), "primary\n");
  await writeFile(join(state, "dns"), "primary\n");
  await writeFile(join(state, "promote.sh"), readPromoteScript());
  const side = (s: FakeSide) => ({ target: s.node, region: s.region, password });
  await writeFile(join(state, "env-secondary"), exports(promotionEnv(side(sides.secondary), side(sides.primary), { fenceCommand: sides.primary.fenceCommand })));
  await writeFile(join(state, "env-primary"), exports(promotionEnv(side(sides.primary), side(sides.secondary), { fenceCommand: sides.secondary.fenceCommand })));
  const database = (s: FakeSide) => ({ sshHost: s.sshHost, sshUser: "admin", pgHost: LOOPBACK, pgPort: s.node.port, database: "postgres", adminUser: "postgres", dataDirectory: s.node.dataDir });
  const settings: Record<string, string> = {
    environment: "dr",
    activeRegion: "@state",
    regions: JSON.stringify({ primary: sides.primary.region, secondary: sides.secondary.region }),
    databases: JSON.stringify({ primary: database(sides.primary), secondary: database(sides.secondary) }),
    endpoints: JSON.stringify({
      api: { primary: { loadBalancer: { dnsName: "lb-east.elb.test", zoneId: "Z1" } }, secondary: { loadBalancer: { dnsName: "lb-west.elb.test", zoneId: "Z2" } } },
      app: { primary: { hostname: "web-east.drill.test" }, secondary: { hostname: "web-west.drill.test" } },
    }),
    dnsZone: JSON.stringify({ name: zone }),
    "databaseSecrets.primary.adminPassword": password,
    "databaseSecrets.secondary.adminPassword": password,
    "databaseSecrets.primary.sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-key\n-----END OPENSSH PRIVATE KEY-----",
    "databaseSecrets.secondary.sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-key\n-----END OPENSSH PRIVATE KEY-----",
  };
  for (const [key, value] of Object.entries(settings)) await writeFile(join(state, `config-${key}`), value);

  const record = (program: string) => [
    "#!/usr/bin/env bash",
    "set -euo pipefail",
    `printf '%s\\n' ${program} "$@" > "${calls}/$(date +%s%N)-$$-${program}"`,
  ];
  const pulumi = [
    ...record("pulumi"),
    `state=${q(state)}`,
    'args=(); for a in "$@"; do case "$a" in --path) ;; *) args+=("$a") ;; esac; done',
    'stack_at=-1; for i in "${!args[@]}"; do [ "${args[$i]}" = --stack ] && stack_at=$i; done',
    '[ "$stack_at" -ge 0 ] || { echo "no --stack" >&2; exit 2; }',
    'case "${args[0]} ${args[1]:-}" in',
    '  "config get")',
    '    key=${args[2]}',
    '    if [ "$key" = activeRegion ]; then cat "$state/active"; exit 0; fi',
    '    [ -f "$state/config-$key" ] || { echo "error: configuration key \'$key\' not found for stack" >&2; exit 255; }',
    '    cat "$state/config-$key"; echo ;;',
    '  "config set")',
    '    [ "${args[2]}" = activeRegion ] || { echo "unexpected config set ${args[2]}" >&2; exit 2; }',
    '    echo "${args[3]}" > "$state/active" ;;',
    '  "up --yes")',
    '    active=$(cat "$state/active")',
    '    echo "Updating (dr): promotion-promote replaced (triggers changed to $active)"',
    // The real promote.sh, as the Promotion component runs it (bash -c <script>), with the flip's env.
    '    ( set -a; source "$state/env-$active"; exec /bin/bash -c "$(cat "$state/promote.sh")" )',
    // The routing health checks dependOn the promotion: DNS moves only after it succeeded.
    '    echo "$active" > "$state/dns" ;;',
    '  *) echo "unexpected: pulumi $*" >&2; exit 2 ;;',
    "esac",
  ];
  const dig = [
    ...record("dig"),
    `state=${q(state)}`,
    'name=${2:-}',
    'dns=$(cat "$state/dns"); [ -f "$state/dns-stuck" ] && dns=primary',
    'case "$name" in',
    `  api.${zone}) if [ "$dns" = secondary ]; then echo 10.0.2.2; else echo 10.0.1.1; fi ;;`,
    `  app.${zone}) if [ "$dns" = secondary ]; then echo web-west.drill.test.; echo 10.0.2.3; else echo web-east.drill.test.; echo 10.0.1.3; fi ;;`,
    "  lb-west.elb.test) echo 10.0.2.2 ;;",
    "  lb-east.elb.test) echo 10.0.1.1 ;;",
    "  *) ;;",
    "esac",
  ];
  const rebuild = (s: FakeSide, upstream: FakeSide) => [
    `    runuser -u postgres -- ${PG_BIN}/pg_ctl -D ${q(s.node.dataDir)} stop -m fast -w >/dev/null 2>&1 || true`,
    `    rm -rf ${q(s.node.dataDir)}`,
    `    runuser -u postgres -- ${PG_BIN}/pg_basebackup -h ${LOOPBACK} -p ${upstream.node.port} -U postgres -D ${q(s.node.dataDir)} -R -X stream -c fast --no-sync`,
    // The upstream's slot name comes along in postgresql.auto.conf; this standby streams without one.
    `    runuser -u postgres -- sed -i '/^primary_slot_name/d' ${q(join(s.node.dataDir, "postgresql.auto.conf"))}`,
    // pg_basebackup copies the upstream's postgresql.conf: this node's own port and socket win (later lines).
    `    printf '%s\\n' "port = ${s.node.port}" "unix_socket_directories = '${s.node.socketDir}'" | runuser -u postgres -- tee -a ${q(join(s.node.dataDir, "postgresql.conf"))} >/dev/null`,
    `    runuser -u postgres -- ${PG_BIN}/pg_ctl -D ${q(s.node.dataDir)} -l ${q(s.node.logFile)} start -w -t 120 >/dev/null`,
  ];
  const ssh = [
    ...record("ssh"),
    'target=""; for a in "$@"; do case "$a" in *@*) target=${a#*@} ;; esac; done',
    'script=$(cat)',
    `printf '%s\\n' "$script" > "${calls}/$(date +%s%N)-$$-ssh-stdin"`,
    'case "$script" in *--type=standby*) ;; *) exit 0 ;; esac',
    'case "$target" in',
    `  ${sides.primary.sshHost})`,
    ...rebuild(sides.primary, sides.secondary),
    "    ;;",
    `  ${sides.secondary.sshHost})`,
    ...rebuild(sides.secondary, sides.primary),
    "    ;;",
    '  *) echo "ssh: unknown host $target" >&2; exit 255 ;;',
    "esac",
  ];
  const aws = [...record("aws")];
  for (const [name, lines] of Object.entries({ pulumi, dig, ssh, aws })) await writeFile(join(bin, name), `${lines.join("\n")}\n`, { mode: 0o755 });

  return {
    binDir: bin,
    async calls() {
      const names = (await readdir(calls)).filter((n) => !n.endsWith("-ssh-stdin")).sort();
      return Promise.all(names.map(async (n) => (await readFile(join(calls, n), "utf8")).replace(/\n$/, "").split("\n")));
    },
    async stickDns(stuck) {
      if (stuck) await writeFile(join(state, "dns-stuck"), "");
      else await (await import("node:fs/promises")).rm(join(state, "dns-stuck"), { force: true });
    },
    async activeRole() {
      return (await readFile(join(state, "active"), "utf8")).trim();
    },
  };
}
