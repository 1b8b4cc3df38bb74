/**
 * The database RPO on a real PostgreSQL 15 + pgBackRest 2.45, with the files DatabaseHost
 * renders: the primary is killed under a steady write load, and the surviving region's
 * repository (repo2, a posix folder standing in for the us-west-2 bucket) is restored. Only the
 * commits of the last archive_timeout seconds (plus the push) may be missing. The host is
 * rendered with a quarter of the stack's archive_timeout (15 s, not 60 s: the stack's value is
 * asserted by recovery.test.ts and walRegionOutage.test.ts), so the load spans the same 2.5
 * timed switches in a quarter of the time; the bound scales with it and stays inside the RPO.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxArchiveTimeoutSeconds, recoveryObjectives } from "../../domain/runbook";
import { PgSandbox } from "../../dev/postgres/cluster";
import { APPLICATION_SCHEMA, createRepositories, DrHost, PRIMARY_REGION, seedSql } from "../../dev/postgres/pgbackrest";
import { measureCrashLoss, type CrashLoss } from "../../dev/postgres/restore";

/** Time the async push of a switched segment to both repositories may take, in seconds. */
const PUSH_SLACK_SECONDS = 10;
const RPO_SECONDS = recoveryObjectives.database.rpoMinutes! * 60;
/** The host's archive_timeout, in seconds (the stack's is `maxArchiveTimeoutSeconds`, 60). */
const ARCHIVE_TIMEOUT_SECONDS = maxArchiveTimeoutSeconds / 4;

let sandbox: PgSandbox;
let host: DrHost;
let loss: CrashLoss;

beforeAll(async () => {
  sandbox = await PgSandbox.create("recovery-loss");
  const repositories = await createRepositories(sandbox);
  const primary = await sandbox.initPrimary({ name: "use1" });
  await primary.createDatabase("crazy_gary");
  await primary.sql(APPLICATION_SCHEMA + seedSql(100, 3, "seed"), { database: "crazy_gary" });
  host = await DrHost.install(sandbox, { name: "host-use1", node: primary, hostRegion: PRIMARY_REGION, repositories, archiveTimeoutSeconds: ARCHIVE_TIMEOUT_SECONDS });
  await host.runScriptChecked("configure-postgres.sh");
  expect(await primary.sqlValue("SHOW archive_timeout")).toBe(`${ARCHIVE_TIMEOUT_SECONDS}s`);
  await host.runScriptChecked("backup.sh", ["full"]);
  // 2.5 archive_timeouts: the crash lands mid-way between two timed segment switches.
  loss = await measureCrashLoss(sandbox, host, { loadSeconds: 2.5 * ARCHIVE_TIMEOUT_SECONDS });
});
afterAll(() => sandbox?.destroy());

describe("kill -9 of the primary under a steady write load, restored from the other region's repository", () => {
  it("restores exactly the first commits, with no gap", () => {
    expect(loss.restoredIsPrefix).toBe(true);
    expect(loss.restoredRows).toBeGreaterThan(0);
    expect(loss.restoredRows).toBeLessThanOrEqual(loss.committedRows);
  });

  it(`loses at most the commits of the last archive_timeout (${ARCHIVE_TIMEOUT_SECONDS} s) plus the push time, within the ${RPO_SECONDS / 60}-minute RPO`, () => {
    expect(loss.lossWindowSeconds).toBeGreaterThanOrEqual(0);
    expect(loss.lossWindowSeconds).toBeLessThanOrEqual(ARCHIVE_TIMEOUT_SECONDS + PUSH_SLACK_SECONDS);
    expect(loss.lossWindowSeconds).toBeLessThanOrEqual(RPO_SECONDS);
    expect(loss.lostCommitSpanSeconds).toBeLessThanOrEqual(loss.lossWindowSeconds);
  });

  it("archived the load as it ran: most of the load survives", () => {
    const survivingShare = loss.restoredRows / loss.committedRows;
    expect(survivingShare).toBeGreaterThanOrEqual(1 - (ARCHIVE_TIMEOUT_SECONDS + PUSH_SLACK_SECONDS) / loss.loadSeconds);
  });
});
