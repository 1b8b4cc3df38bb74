/**
 * How the drill runner reaches a stack: its settings through `pulumi config get` (the stack's
 * own config, as the Pulumi CLI resolves it, secrets decrypted), its databases through psql,
 * its DNS names through dig. Every outside program is called by name from PATH, so a test puts
 * stand-ins first on PATH and the runner runs unchanged.
 */
import { databaseHost } from "../../infra/configFields";
import { perRole, regionRoles, type RegionRole } from "../../domain/topology";
import { runCommand, type CommandResult } from "../process/exec";

/** One call of an outside program; throws with its output unless it exits 0. */
export type Run = (command: string, args: readonly string[], options?: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number }) => Promise<CommandResult>;

/** Runs with this process's environment plus `baseEnv` (the test's PATH); never throws for an exit code. */
export const runner =
  (baseEnv: Record<string, string | undefined>): Run =>
  (command, args, options = {}) =>
    runCommand(command, args, { env: { ...baseEnv, ...options.env }, input: options.input, timeoutMs: options.timeoutMs ?? 120_000 });

export async function checked(run: Run, command: string, args: readonly string[], options?: Parameters<Run>[2]): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args[0] ?? ""} ${args[1] ?? ""} exited with ${result.code ?? result.signal}: ${(result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" | ")}`);
  return result.stdout;
}

/** A region role's database as the runner connects to it. */
export interface DrillDatabase {
  pgHost: string;
  pgPort: number;
  database: string;
  adminUser: string;
  sshHost: string;
  sshUser: string;
  sshPort: number;
  dataDirectory: string;
  /** From `databaseSecrets.<role>.adminPassword`; only ever passed through PGPASSWORD. */
  password: string;
}

/** What the drill needs of a stack, read once before it flips anything. */
export interface DrillStack {
  stack: string;
  environment: string;
  /** The active role (config key `activeRegion`). */
  activeRole: RegionRole;
  regions: Record<RegionRole, string>;
  databases: Record<RegionRole, DrillDatabase>;
  /** Per failover name (`api.<zone>`): the name each region's endpoint answers with. */
  names: { fqdn: string; targets: Record<RegionRole, string> }[];
}

/**
 * Reads the stack's settings with `pulumi config get` (objects print as JSON; `--path a.b` reads
 * inside a map, and secrets print decrypted: pulumi.com/docs/iac/cli/commands/pulumi_config_get).
 */
export async function readDrillStack(run: Run, stack: string): Promise<DrillStack> {
  const get = async (key: string, path = false) => (await checked(run, "pulumi", ["config", "get", ...(path ? ["--path"] : []), key, "--stack", stack])).trim();
  const json = async (key: string) => JSON.parse(await get(key)) as Record<string, unknown>;
  const activeRole = (await get("activeRegion")) as RegionRole;
  if (!regionRoles.includes(activeRole)) throw new Error(`activeRegion: "${activeRole}" is not a region role; allowed: primary, secondary`);
  const rawRegions = await json("regions");
  const regions = perRole((role) => String(rawRegions[role]));
  const rawDatabases = await json("databases");
  const endpoints = (await json("endpoints")) as Record<string, Record<RegionRole, { hostname?: string; loadBalancer?: { dnsName: string } }>>;
  const zone = String((await json("dnsZone")).name).replace(/\.$/, "");
  let environment = stack.split("/").pop()!;
  const env = await run("pulumi", ["config", "get", "environment", "--stack", stack]);
  if (env.code === 0 && env.stdout.trim() !== "") environment = env.stdout.trim();
  // The schema's defaults (port 5432, user postgres, ...), the same the stack applies.
  const database = async (role: RegionRole): Promise<DrillDatabase> => ({
    ...databaseHost.parse(rawDatabases[role]),
    password: await get(`databaseSecrets.${role}.adminPassword`, true),
  });
  const databases = { primary: await database("primary"), secondary: await database("secondary") };
  const names = Object.entries(endpoints).map(([host, byRole]) => ({
    fqdn: `${host}.${zone}`,
    targets: perRole((role) => byRole[role]?.hostname ?? byRole[role]?.loadBalancer?.dnsName ?? ""),
  }));
  return { stack, environment, activeRole, regions, databases, names };
}

/** psql's connection string for a database (the password goes through PGPASSWORD). */
const conninfo = (db: DrillDatabase) => `host=${db.pgHost} port=${db.pgPort} dbname=${db.database} user=${db.adminUser} connect_timeout=5`;

/** Runs SQL on a database; rows as arrays of text, or throws with psql's error. */
export async function sql(run: Run, db: DrillDatabase, query: string, sslMode: string): Promise<string[][]> {
  const out = await checked(run, "psql", ["--no-psqlrc", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", conninfo(db), "-c", query], {
    env: { PGPASSWORD: db.password, PGSSLMODE: sslMode },
    timeoutMs: 30_000,
  });
  return out.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

/**
 * `dig +short NAME`: the answer's lines. `+short` prints the answer section's data only, one
 * record a line: for a CNAME the target name (with its trailing dot), then the addresses it
 * resolves to (dig(1), "+short: Provide a terse answer").
 */
export async function dig(run: Run, name: string): Promise<string[]> {
  const out = await checked(run, "dig", ["+short", name], { timeoutMs: 30_000 });
  return out.split("\n").map((l) => l.trim()).filter((l) => l !== "");
}
