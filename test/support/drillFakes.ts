/**
 * Stand-ins for `pulumi`, `aws`, `dig` and `ssh`, put first on the drill runner's PATH: small
 * shell scripts that record their arguments (one file per call, one argument per line) and act on
 * a Patroni lab (dev/patroni/lab.ts) as the real programs would act on the dr stack:
 * - `pulumi config get` answers from the stack's settings (JSON for objects); `config set
 *   activeRegion` keeps the value; `pulumi up` does what the stack's deploy does to the database:
 *   the newly active role's host gets `nofailover` lifted (patroni.yml rewritten, Patroni
 *   reloaded), the product's flip runs (components/patroniFlip/run.ts by its command line and
 *   environment, dev/patroni/flip.ts), the other host gets `nofailover` back; only after the flip
 *   succeeded does DNS answer with the new role.
 * - `dig +short NAME` answers the active role's endpoint (a CNAME target, or the load
 *   balancer's address for an alias), or always the primary's while DNS is "stuck".
 * - `ssh` and `aws` succeed (the drill must not need `ssh`: a test reads the calls).
 * The drill runs where `pulumi up` runs: inside the lab's witness region, which reaches both
 * databases and both REST APIs ({@link DrillFakes.wrap}).
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { flipCommandLine } from "../../components/patroniFlip";
import { labFlipEnvironment } from "../../dev/patroni/flip";
import { REGION_CODES, type PatroniLab } from "../../dev/patroni/lab";
import type { PatroniMember } from "../../dev/patroni/member";

export interface DrillFakes {
  binDir: string;
  /** `[command, args]` running `command args` where the drill runs (the witness region). */
  wrap(command: string, args: readonly string[]): [string, string[]];
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

/** The project folder, where `pulumi up` runs the flip's command line. */
const projectRoot = join(__dirname, "../..");

/** Writes the four programs into `dir` (a sandbox folder) for the lab's two database regions. */
export async function installDrillFakes(dir: string, lab: PatroniLab, zone: string): Promise<DrillFakes> {
  const bin = join(dir, "bin");
  const calls = join(dir, "calls");
  const state = join(dir, "state");
  const { mkdir } = await import("node:fs/promises");
  for (const d of [bin, calls, state]) await mkdir(d, { recursive: true });
  await writeFile(join(state, "active"), "primary\n");
  await writeFile(join(state, "dns"), "primary\n");
  const { primary, secondary } = lab.members;
  for (const member of [primary, secondary]) await writeFile(join(state, `flip-env-${member.role}`), exports(labFlipEnvironment(lab, member)));
  const database = (m: PatroniMember) => ({ sshHost: `db-${m.role}.drill.test`, sshUser: "admin", pgHost: m.address, pgPort: m.node.port, database: "postgres", adminUser: "postgres", dataDirectory: m.node.dataDir });
  const settings: Record<string, string> = {
    environment: "dr",
    activeRegion: "@state",
    regions: JSON.stringify({ primary: REGION_CODES.primary, secondary: REGION_CODES.secondary }),
    databases: JSON.stringify({ primary: database(primary), secondary: database(secondary) }),
    endpoints: JSON.stringify({
      api: { primary: { loadBalancer: { dnsName: "lb-east.elb.test", zoneId: "Z1" } }, secondary: { loadBalancer: { dnsName: "lb-west.elb.test", zoneId: "Z2" } } },
      app: { primary: { hostname: "web-east.drill.test" }, secondary: { hostname: "web-west.drill.test" } },
    }),
    dnsZone: JSON.stringify({ name: zone }),
    "databaseSecrets.primary.adminPassword": lab.superuserPassword,
    "databaseSecrets.secondary.adminPassword": lab.superuserPassword,
    "databaseSecrets.primary.sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-key\n-----END OPENSSH PRIVATE KEY-----",
    "databaseSecrets.secondary.sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-key\n-----END OPENSSH PRIVATE KEY-----",
  };
  for (const [key, value] of Object.entries(settings)) await writeFile(join(state, `config-${key}`), value);

  // A host's nofailover tag as its configuration step sets it: patroni.yml rewritten, Patroni reloaded (SIGHUP).
  const tag = (m: PatroniMember, noFailover: boolean) =>
    `sed -i 's/nofailover: ${!noFailover}/nofailover: ${noFailover}/' ${q(m.configFile)} && kill -HUP ${m.patroniPid ?? 0}`;
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
    '    echo "Updating (dr): patroni-flip-command replaced (triggers changed to $active)"',
    '    case "$active" in',
    `      primary) ${tag(primary, false)} ;;`,
    `      secondary) ${tag(secondary, false)} ;;`,
    "    esac",
    // The product's flip, as its local Command runs it: the command line through a shell in the project folder, with its environment.
    `    ( set -a; source "$state/flip-env-$active"; cd ${q(projectRoot)}; exec /bin/sh -c ${q(flipCommandLine)} )`,
    '    case "$active" in',
    `      primary) ${tag(secondary, true)} ;;`,
    `      secondary) ${tag(primary, true)} ;;`,
    "    esac",
    // DNS follows the leader (the routing health checks read Patroni): it moves only after the flip succeeded.
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
  const ssh = [...record("ssh")];
  const aws = [...record("aws")];
  for (const [name, lines] of Object.entries({ pulumi, dig, ssh, aws })) await writeFile(join(bin, name), `${lines.join("\n")}\n`, { mode: 0o755 });

  return {
    binDir: bin,
    wrap: (command, args) => lab.network.wrap("witness", command, args),
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
