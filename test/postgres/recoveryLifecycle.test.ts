/**
 * Lifecycle safety on a real PostgreSQL 15 + pgBackRest 2.45: the S3 lifecycle rules the
 * stack declares (read from the offline plan's JSON for prod) never expire an object a
 * promised restore needs. A month of backup history is played in a minute, each phase
 * standing for a moment in the past; the repositories' files are then aged to those moments
 * (modification times set back), every file the rules would have expired is deleted, and
 * the runbook's promises are restored for real:
 *   - PITR to a moment of the last 24 hours;
 *   - the oldest full backup of the last 30 days.
 * A deliberately too-short rule must break one of them, so the check can fail.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backups } from "../../domain/runbook";
import { PgSandbox, type PgNode } from "../../dev/postgres/cluster";
import { APPLICATION_SCHEMA, createRepositories, DrHost, PRIMARY_REGION, SECONDARY_REGION, type Repositories } from "../../dev/postgres/pgbackrest";
import { restoreNode } from "../../dev/postgres/restore";
import { ageFiles, applyLifecycle, plannedLifecycleRules, type HistoryPhase, type PlannedLifecycleRule } from "../../dev/postgres/s3Lifecycle";

const DATABASE = "crazy_gary";
const REPOSITORY_ROOT = join(__dirname, "..", "..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let sandbox: PgSandbox;
let repositories: Repositories;
let primary: PgNode;
let east: DrHost;
let planned: Map<string, PlannedLifecycleRule[]>;
/** Labels of the backups per repository (each has its own): F_old (34 d), F_30 (29.5 d), I_30 (29.3 d), F_recent (30 h). */
interface BackupLabels { old: string; within30Days: string; incremental: string; recent: string }
const labels = {} as Record<1 | 2, BackupLabels>;
/** The PITR target: between mark "A" (12 h ago) and mark "B" (9.6 h ago). */
let pitrTarget: string;
let nowMs: number;

async function mark(label: string): Promise<void> {
  await primary.sql(`INSERT INTO lifecycle_marks (label) VALUES ('${label}')`, { database: DATABASE });
}

beforeAll(async () => {
  planned = await plannedLifecycleRules("prod", REPOSITORY_ROOT);
  sandbox = await PgSandbox.create("recovery-lc");
  repositories = await createRepositories(sandbox);
  primary = await sandbox.initPrimary({ name: "use1" });
  await primary.createDatabase(DATABASE);
  await primary.sql(`${APPLICATION_SCHEMA} CREATE TABLE lifecycle_marks (label text PRIMARY KEY, at timestamptz DEFAULT clock_timestamp());`, { database: DATABASE });
  east = await DrHost.install(sandbox, { name: "host-use1", node: primary, hostRegion: PRIMARY_REGION, repositories });
  await east.runScriptChecked("configure-postgres.sh");

  // The simulated month. Each phase ends with `pgbackrest check` (switch WAL, wait until it
  // is in both repositories), so a file's time is that of the phase that wrote it, as on S3
  // where archive_timeout pushes WAL within a minute.
  const phases: HistoryPhase[] = [{ fromMs: 0, ageDays: 35 }];
  const phase = async (ageDays: number, work: () => Promise<void>) => {
    await sleep(1_100);
    phases.push({ fromMs: Date.now(), ageDays });
    await work();
    await east.pgbackrestChecked(["check"]);
  };
  await phase(34, async () => {
    await east.runScriptChecked("backup.sh", ["full"]);
    await mark("after-F_old");
  });
  await phase(29.5, async () => {
    await mark("before-F_30");
    await east.runScriptChecked("backup.sh", ["full"]);
  });
  await phase(29.3, async () => {
    await mark("after-F_30");
    await east.runScriptChecked("backup.sh", ["incr"]);
  });
  await phase(15, () => mark("mid-month"));
  await phase(1.25, () => east.runScriptChecked("backup.sh", ["full"]).then(() => undefined));
  await phase(0.5, async () => {
    await mark("A");
    await sleep(1_100);
    pitrTarget = (await primary.sqlValue("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'"))!;
    await sleep(1_100);
  });
  await phase(0.4, () => mark("B"));
  nowMs = Date.now() + 1_000;

  for (const repo of [1, 2] as const) {
    const info = await east.info(repo);
    expect(info.backup.map((backup) => backup.type)).toEqual(["full", "full", "incr", "full"]);
    const [old, within30Days, incremental, recent] = info.backup.map((backup) => backup.label) as [string, string, string, string];
    labels[repo] = { old, within30Days, incremental, recent };
  }
  for (const repo of [repositories.primary, repositories.secondary]) await ageFiles(repo, phases, nowMs);
});
afterAll(() => sandbox?.destroy());

/** Copies of both repositories with `rulesFor(region)` applied; returns their paths and the deleted keys. */
async function expireCopies(scenario: string, rulesFor: (region: string) => PlannedLifecycleRule[]) {
  const copy = async (from: string, name: string) => {
    const to = `${sandbox.root}/${scenario}-${name}`;
    await promisify(execFile)("cp", ["-a", from, to]);
    return to;
  };
  const paths = { 1: await copy(repositories.primary, "repo1"), 2: await copy(repositories.secondary, "repo2") };
  const deleted = {
    1: await applyLifecycle(paths[1], rulesFor(PRIMARY_REGION), nowMs),
    2: await applyLifecycle(paths[2], rulesFor(SECONDARY_REGION), nowMs),
  };
  return { paths, deleted };
}

type RestoreKind = "pitr" | "oldest-full";

/**
 * Restores from `repo` of the expired copies (restore_command reads the copies too) and
 * returns the marks the restored database holds, or the error that stopped the restore.
 */
async function restoreMarks(scenario: string, paths: Record<1 | 2, string>, repo: 1 | 2, kind: RestoreKind): Promise<string[] | Error> {
  const target =
    kind === "pitr"
      ? ["--type=time", `--target=${pitrTarget}`]
      : [`--set=${labels[repo].within30Days}`, "--type=immediate"];
  let node: PgNode | undefined;
  try {
    node = await restoreNode(sandbox, east, `${scenario}-${kind === "pitr" ? "p" : "f"}${repo}`, [
      `--repo=${repo}`, `--repo1-path=${paths[1]}`, `--repo2-path=${paths[2]}`, ...target, "--target-action=promote",
    ], { timeoutMs: 120_000 });
    return (await node.sql("SELECT label FROM lifecycle_marks ORDER BY at", { database: DATABASE })).map((row) => row[0]!);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    await node?.stop();
  }
}

const PITR_MARKS = ["after-F_old", "before-F_30", "after-F_30", "mid-month", "A"];
const OLDEST_FULL_MARKS = ["after-F_old", "before-F_30"];

describe("the declared lifecycle rules (prod plan)", () => {
  let expired: Awaited<ReturnType<typeof expireCopies>>;
  beforeAll(async () => {
    expired = await expireCopies("lc-declared", (region) => planned.get(region)!);
  });

  it("exist for both buckets and expire archive/ and backup/ after the same horizon in each region", () => {
    expect([...planned.keys()].sort()).toEqual([PRIMARY_REGION, SECONDARY_REGION]);
    for (const rules of planned.values()) {
      const days = Object.fromEntries(rules.filter((rule) => rule.expiration?.days !== undefined).map((rule) => [rule.filter?.prefix, rule.expiration!.days]));
      expect(Object.keys(days).sort()).toEqual(["archive/", "backup/"]);
      expect(days["backup/"]).toBeGreaterThan(backups.full.retentionDays);
    }
  });

  it("expire what is past the engine's retention: the 34-day-old full backup and the WAL before the 30-day one", () => {
    for (const repo of [1, 2] as const) {
      const { old, within30Days, recent } = labels[repo];
      expect(expired.deleted[repo].some((key) => key.startsWith(`backup/crazy-gary/${old}/`))).toBe(true);
      expect(expired.deleted[repo].some((key) => key.startsWith("archive/crazy-gary/15-1/"))).toBe(true);
      expect(expired.deleted[repo].filter((key) => key.includes(within30Days) || key.includes(recent))).toEqual([]);
    }
  });

  it.each([1, 2] as const)("leave PITR into the last 24 hours working from repo%i: exactly the writes before the target", async (repo) => {
    expect(await restoreMarks("lc-declared", expired.paths, repo, "pitr")).toEqual(PITR_MARKS);
  });

  it.each([1, 2] as const)("leave the oldest full backup of the last 30 days restorable from repo%i", async (repo) => {
    expect(await restoreMarks("lc-declared", expired.paths, repo, "oldest-full")).toEqual(OLDEST_FULL_MARKS);
  });
});

describe("a deliberately too-short rule breaks a promised restore (the check can fail)", () => {
  const shorten = (prefix: string, days: number) => (region: string) =>
    planned.get(region)!.map((rule) => (rule.filter?.prefix === prefix ? { ...rule, expiration: { days } } : rule));

  it("archive/ kept 1 day: PITR to 12 hours ago, from a full backup 30 hours old, no longer works", async () => {
    const { paths } = await expireCopies("lc-wal1d", shorten("archive/", 1));
    expect(await restoreMarks("lc-wal1d", paths, 1, "pitr")).toBeInstanceOf(Error);
  });

  it(`backup/ kept 29 days: the 29.5-day-old full backup (within the runbook's ${backups.full.retentionDays} days) no longer restores`, async () => {
    const { paths } = await expireCopies("lc-bak29d", shorten("backup/", 29));
    expect(await restoreMarks("lc-bak29d", paths, 1, "oldest-full")).toBeInstanceOf(Error);
  });
});
