/**
 * Reads the pgBackRest configuration the stack renders onto a database host, and says what
 * its retention settings keep. Pure functions over text; the policies decide what is enough.
 *
 * pgBackRest semantics used here (pgBackRest user guide, "Retention"):
 * - `repoN-retention-full-type=time`: every full backup younger than `repoN-retention-full` days
 *   is kept, plus the newest one older than that (it restores the moments in between). It goes
 *   only when the next full is `days` old, and expiry runs at the end of a backup, up to one
 *   incremental interval later: a full backup's files live up to
 *   `days + one full interval + one incremental interval`.
 * - `repoN-retention-full-type=count` (the default): the newest N full backups are kept; the
 *   oldest of them is at least (N - 1) intervals old and its files live up to N intervals.
 * - WAL is kept for every retained backup unless `repoN-retention-archive` narrows it to the
 *   WAL of the newest N backups of `repoN-retention-archive-type` (full by default).
 */

/** One `[section]` of options, last value wins. */
export type Options = Readonly<Record<string, string>>;

export interface PgbackrestConfig {
  /** The rendered text, as found. */
  text: string;
  /** Options per repository index (global and stanza sections merged; the stanza wins). */
  repositories: ReadonlyMap<number, Options>;
  /** Options of `[global]`. */
  global: Options;
}

const sectionLine = /^\s*\[([^\]\s]+)\]\s*$/;
const optionLine = /^\s*([a-z0-9][a-z0-9-]*)\s*=\s*(.*?)\s*$/;

/** Parses a pgBackRest config (also when it sits in a heredoc inside a script). */
export function parsePgbackrestConfig(text: string): PgbackrestConfig {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const section = sectionLine.exec(line);
    if (section) {
      current = sections.get(section[1]) ?? {};
      sections.set(section[1], current);
      continue;
    }
    const option = current ? optionLine.exec(line) : null;
    if (current && option) current[option[1]] = option[2];
  }
  const global = sections.get("global") ?? {};
  const merged: Record<string, string> = { ...global };
  for (const [name, options] of sections) if (name !== "global" && !name.startsWith("global:")) Object.assign(merged, options);
  const repositories = new Map<number, Record<string, string>>();
  for (const [key, value] of Object.entries(merged)) {
    const repo = /^repo(\d+)-(.+)$/.exec(key);
    if (!repo) continue;
    const index = Number(repo[1]);
    const options = repositories.get(index) ?? {};
    options[repo[2]] = value;
    repositories.set(index, options);
  }
  return { text, repositories, global };
}

/** Every pgBackRest config among `texts` (a text with a `[global]` section and repository options). */
export function findPgbackrestConfigs(texts: readonly string[]): PgbackrestConfig[] {
  return texts
    .filter((t) => /^\s*\[global\]\s*$/m.test(t) && /^\s*repo\d+-/m.test(t))
    .map(parsePgbackrestConfig)
    .filter((c) => c.repositories.size > 0);
}

/** An S3 repository's bucket and region, where the config names them. */
export interface S3Repository {
  index: number;
  bucket: string | undefined;
  region: string | undefined;
  /** Key prefix of the repository in the bucket, without leading or trailing slash ("" = bucket root). */
  path: string;
}

/** pgBackRest's default `repoN-path`. */
const defaultRepoPath = "/var/lib/pgbackrest";

export function s3Repositories(config: PgbackrestConfig): S3Repository[] {
  return [...config.repositories]
    .filter(([, o]) => o.type === "s3")
    .map(([index, o]) => ({ index, bucket: o["s3-bucket"], region: o["s3-region"], path: (o.path ?? defaultRepoPath).replace(/^\/+|\/+$/g, "") }));
}

/** How long a repository keeps what it stores, in hours, from its retention options. */
export interface RepositoryRetention {
  /** Every full backup restorable for at least this long (guaranteed). */
  fullRestorableHours: number;
  /** Longest time a backup's files stay in the repository (what a lifecycle rule must not cut). */
  backupKeptHours: number;
  /** Longest time a WAL segment stays in the repository. */
  walKeptHours: number;
  /** What is wrong with the options (missing or unreadable), if anything. */
  problems: string[];
}

/** Backup intervals by pgBackRest backup type, in hours. */
export interface BackupIntervals {
  fullHours: number;
  incrementalHours: number;
}

function positiveInteger(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined;
}

/** What repository `index` of `config` keeps, with backups taken at `intervals`. */
export function repositoryRetention(options: Options, intervals: BackupIntervals, index: number): RepositoryRetention {
  const problems: string[] = [];
  const fullType = options["retention-full-type"] ?? "count";
  const full = positiveInteger(options["retention-full"]);
  let fullRestorableHours = 0;
  let backupKeptHours = 0;
  if (full === undefined) {
    problems.push(`repo${index}-retention-full is ${options["retention-full"] === undefined ? "not set" : `"${options["retention-full"]}", not a positive integer`}`);
  } else if (fullType === "time") {
    fullRestorableHours = full * 24;
    backupKeptHours = full * 24 + intervals.fullHours + intervals.incrementalHours;
  } else if (fullType === "count") {
    fullRestorableHours = (full - 1) * intervals.fullHours;
    backupKeptHours = full * intervals.fullHours;
  } else {
    problems.push(`repo${index}-retention-full-type is "${fullType}", not time or count`);
  }
  let walKeptHours = backupKeptHours;
  if (options["retention-archive"] !== undefined) {
    const archive = positiveInteger(options["retention-archive"]);
    const archiveType = options["retention-archive-type"] ?? "full";
    const interval = archiveType === "full" ? intervals.fullHours : archiveType === "diff" || archiveType === "incr" ? intervals.incrementalHours : undefined;
    if (archive === undefined) problems.push(`repo${index}-retention-archive is "${options["retention-archive"]}", not a positive integer`);
    else if (interval === undefined) problems.push(`repo${index}-retention-archive-type is "${archiveType}", not full, diff or incr`);
    else walKeptHours = Math.min(walKeptHours, archive * interval);
  }
  return { fullRestorableHours, backupKeptHours, walKeptHours, problems };
}
