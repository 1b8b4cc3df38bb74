/**
 * Reads the PostgreSQL archiving settings the stack renders onto a database host: from a
 * `postgresql.conf`-style line or `ALTER SYSTEM SET archive_timeout = ...`, or from an
 * environment file the host's scripts apply (`..._ARCHIVE_TIMEOUT_SECONDS=60`). Pure functions.
 */

const secondsPerUnit: Record<string, number> = { ms: 0.001, s: 1, min: 60, h: 3600, d: 86400 };

/** Every `archive_timeout` value found in `texts`, in seconds. */
export function archiveTimeoutsSeconds(texts: readonly string[]): number[] {
  const found: number[] = [];
  for (const text of texts) {
    for (const m of text.matchAll(/archive_timeout\s*(?:=|\bTO\b)\s*'?(\d+)\s*(ms|s|min|h|d)?'?/gi)) {
      found.push(Number(m[1]) * secondsPerUnit[(m[2] ?? "s").toLowerCase()]);
    }
    for (const m of text.matchAll(/^\s*(?:export\s+)?[A-Z_]*ARCHIVE_TIMEOUT(?:_(SECONDS|MS|MINUTES))?=["']?(\d+)["']?\s*$/gm)) {
      const unit = { SECONDS: 1, MS: 0.001, MINUTES: 60 }[m[1] ?? "SECONDS"] ?? 1;
      found.push(Number(m[2]) * unit);
    }
  }
  return found;
}

/** Whether `texts` set an `archive_command` that pushes WAL with pgBackRest. */
export function archivesWithPgbackrest(texts: readonly string[]): boolean {
  return texts.some((t) => /archive_command[\s\S]{0,400}archive-push|pgbackrest[^\n]*archive-push/.test(t));
}
