/**
 * S3 lifecycle expiry, played on a posix pgBackRest repository: the rules come from the
 * offline plan's JSON (`npm run plan -- --stack <stack> --format json`, resources of type
 * `aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration`), file ages from their
 * modification times (which the tests set back to simulate weeks of history).
 */
import { lstat, mkdtemp, readdir, readFile, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { runChecked } from "../../tools/process/exec";

const LIFECYCLE_TYPE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const DAY_MS = 24 * 3600 * 1000;

/** One rule as the plan shows it (only what expiry of current objects needs). */
export interface PlannedLifecycleRule {
  id: string;
  status: string;
  filter?: { prefix?: string };
  expiration?: { days?: number; expiredObjectDeleteMarker?: boolean };
}

/** The lifecycle rules of every WAL archive bucket in the plan, by the bucket's region. */
export async function plannedLifecycleRules(stack: string, repositoryRoot: string): Promise<Map<string, PlannedLifecycleRule[]>> {
  // Through a file: the plan CLI exits right after writing, which cuts a piped stdout short.
  const dir = await mkdtemp(join(tmpdir(), "plan-"));
  let text: string;
  try {
    const file = join(dir, "plan.json");
    await runChecked("bash", ["-c", `npm run -s plan -- --stack "$1" --format json > "$2"`, "plan", stack, file], { cwd: repositoryRoot, timeoutMs: 300_000 });
    text = await readFile(file, "utf8");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const plan = JSON.parse(text) as { resources: { type: string; region: string; inputs: { rules?: PlannedLifecycleRule[] } }[] };
  const byRegion = new Map<string, PlannedLifecycleRule[]>();
  for (const resource of plan.resources.filter((r) => r.type === LIFECYCLE_TYPE)) {
    if (byRegion.has(resource.region)) throw new Error(`plan ${stack}: two lifecycle configurations in ${resource.region}`);
    byRegion.set(resource.region, resource.inputs.rules ?? []);
  }
  return byRegion;
}

/**
 * Days after which the rules expire the current object `key` (the shortest matching
 * `expiration.days` of an enabled rule), or undefined when no rule expires it.
 */
export function expiryDays(key: string, rules: readonly PlannedLifecycleRule[]): number | undefined {
  const days = rules
    .filter((rule) => rule.status === "Enabled" && key.startsWith(rule.filter?.prefix ?? "") && rule.expiration?.days !== undefined)
    .map((rule) => rule.expiration!.days!);
  return days.length === 0 ? undefined : Math.min(...days);
}

/** Every regular file under `root` (symlinks skipped: S3 has none), as absolute paths. */
export async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** A stretch of real time that stands for a moment `ageDays` before "now" in the simulated history. */
export interface HistoryPhase {
  /** Files modified at or after this real time (ms since epoch), and before the next phase, get this age. */
  fromMs: number;
  ageDays: number;
}

/**
 * Sets the modification time of every file under `root` back to `nowMs - ageDays` of the
 * phase its real modification time falls in (phases sorted by `fromMs`). Files older than the
 * first phase keep the first phase's age.
 */
export async function ageFiles(root: string, phases: readonly HistoryPhase[], nowMs: number): Promise<void> {
  const sorted = [...phases].sort((a, b) => a.fromMs - b.fromMs);
  for (const file of await listFiles(root)) {
    const mtimeMs = (await lstat(file)).mtimeMs;
    const phase = [...sorted].reverse().find((p) => mtimeMs >= p.fromMs) ?? sorted[0]!;
    const aged = new Date(nowMs - phase.ageDays * DAY_MS);
    await utimes(file, aged, aged);
  }
}

/**
 * Deletes every file under `repositoryRoot` the rules would have expired by `nowMs`, taking
 * the earliest moment S3 may act (exactly `days` after creation; in reality it rounds up to
 * the next midnight UTC and may be a day late, which only keeps objects longer). Returns the
 * deleted keys.
 */
export async function applyLifecycle(repositoryRoot: string, rules: readonly PlannedLifecycleRule[], nowMs: number): Promise<string[]> {
  const deleted: string[] = [];
  for (const file of await listFiles(repositoryRoot)) {
    const key = relative(repositoryRoot, file);
    const days = expiryDays(key, rules);
    if (days === undefined) continue;
    if (nowMs - (await lstat(file)).mtimeMs > days * DAY_MS) {
      await rm(file);
      deleted.push(key);
    }
  }
  return deleted.sort();
}
