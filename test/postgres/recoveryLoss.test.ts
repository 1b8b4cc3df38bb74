/**
 * The database RPO on a real PostgreSQL 15 + pgBackRest 2.45, with the files DatabaseHost
 * renders (archive_timeout from the rendered settings, 60 s): the primary is killed under a
 * steady write load, and the surviving region's repository (repo2, a posix folder standing
 * in for the us-west-2 bucket) is restored. Only the commits of the last archive_timeout
 * seconds may be missing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxArchiveTimeoutSeconds, recoveryObjectives } from "../../domain/runbook";
import { PgSandbox } from "../../dev/postgres/cluster";
import { APPLICATION_SCHEMA, createRepositories, DrHost, PRIMARY_REGION, seedSql } from "../../dev/postgres/pgbackrest";
import { measureCrashLoss, type CrashLoss } from "../../dev/postgres/restore";

/** Time the async push of a switched segment to both repositories may take, in seconds. */
const PUSH_SLACK_SECONDS = 10;
const RPO_SECONDS = recoveryObjectives.database.rpoMinutes! * 60;

let sandbox: PgSandbox;
let host: DrHost;
let loss: CrashLoss;

beforeAll(async () => {
  sandbox = await PgSandbox.create("recovery-loss");
  const repositories = await createRepositories(sandbox);
  const primary = await sandbox.initPrimary({ name: "use1" });
  await primary.createDatabase("crazy_gary");
  await primary.sql(APPLICATION_SCHEMA + seedSql(100, 3, "seed"), { database: "crazy_gary" });
  host = await DrHost.install(sandbox, { name: "host-use1", node: primary, hostRegion: PRIMARY_REGION, side: "active", repositories });
  await host.runScriptChecked("configure-postgres.sh");
  await host.runScriptChecked("backup.sh", ["full"]);
  // 2.5 archive_timeouts: the crash lands mid-way between two timed segment switches.
  loss = await measureCrashLoss(sandbox, host, { loadSeconds: 2.5 * maxArchiveTimeoutSeconds });
});
afterAll(() => sandbox?.destroy());

describe("kill -9 of the primary under a steady write load, restored from the other region's repository", () => {
  it("restores exactly the first commits, with no gap", () => {
    expect(loss.restoredIsPrefix).toBe(true);
    expect(loss.restoredRows).toBeGreaterThan(0);
    expect(loss.restoredRows).toBeLessThanOrEqual(loss.committedRows);
  });

  it(`loses at most the commits of the last archive_timeout (${maxArchiveTimeoutSeconds} s) plus the push time, within the ${RPO_SECONDS / 60}-minute RPO`, () => {
    expect(loss.lossWindowSeconds).toBeGreaterThanOrEqual(0);
    expect(loss.lossWindowSeconds).toBeLessThanOrEqual(maxArchiveTimeoutSeconds + PUSH_SLACK_SECONDS);
    expect(loss.lossWindowSeconds).toBeLessThanOrEqual(RPO_SECONDS);
    expect(loss.lostCommitSpanSeconds).toBeLessThanOrEqual(loss.lossWindowSeconds);
  });

  it("archived the load as it ran: most of the load survives", () => {
    const survivingShare = loss.restoredRows / loss.committedRows;
    expect(survivingShare).toBeGreaterThanOrEqual(1 - (maxArchiveTimeoutSeconds + PUSH_SLACK_SECONDS) / loss.loadSeconds);
  });
});
