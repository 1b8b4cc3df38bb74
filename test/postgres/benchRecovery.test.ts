/**
 * `npm run bench:recovery` end to end at its smallest size, as a person runs it: the dump reload,
 * the restore (which must reach the restore point with every row) and the crash-loss measurement
 * against real PostgreSQL 15 and pgBackRest, its figures written where `--measurements` says.
 * The bench asserts no time; this test asserts that it runs and what it records, so that a
 * change to the host files (new roles, new settings) cannot break it unnoticed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Measurements } from "../../domain/readiness";
import { repositoryRoot } from "../../tools/offline";

describe("npm run bench:recovery -- --size 10MB --rounds 1", () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-recovery-"));
  const measurementsFile = join(dir, "measurements.json");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("times the runbook's reload and the restore, checks the rows, and records the figures readiness reads", () => {
    const result = spawnSync("npm", ["run", "-s", "bench:recovery", "--", "--size", "10MB", "--rounds", "1", "--load-seconds", "10", "--measurements", measurementsFile], {
      cwd: repositoryRoot,
      encoding: "utf8",
      timeout: 1_800_000,
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/round 1: \(a\) runbook gunzip \| psql into a new database: [\d.]+ s/);
    expect(result.stdout).toMatch(/round 1: \(b\) pgBackRest restore \+ replay of \d+ MiB WAL, until promoted: [\d.]+ s \(restore [\d.]+ s, start [\d.]+ s, replay \+ promotion [\d.]+ s; load/);
    expect(result.stdout).toMatch(/ratio \(a\) gunzip \| psql \/ \(b\) pgBackRest, medians: [\d.]+x/);

    const { figures } = JSON.parse(readFileSync(measurementsFile, "utf8")) as Measurements;
    const restore = figures.restoreSeconds!;
    expect(restore.measuredBy).toBe("npm run bench:recovery");
    expect(restore.sizes).toHaveLength(1);
    const [size] = restore.sizes!;
    expect(size!.databaseBytes).toBeGreaterThanOrEqual(10 * 2 ** 20);
    expect(size!.runsSeconds).toHaveLength(1);
    expect(size!.baselineRunsSeconds).toHaveLength(1);
    expect(restore.seconds).toBe(size!.seconds);
    expect(figures.walPushSeconds!.seconds).toBeGreaterThan(0);
    // The loss window: at most one archive timeout (60 s) plus the push, as recoveryLoss.test.ts asserts.
    expect(figures.rpoLossWindowSeconds!.seconds).toBeLessThanOrEqual(70);
  });
});
