/**
 * The drill runner (`npm run drill -- run`, tools/drill/runner.ts) against a Patroni lab
 * (dev/patroni/lab.ts: etcd 3.4 in three regions, Patroni 3.0.2 managing PostgreSQL 15 in the
 * primary and secondary regions), with `pulumi`, `aws`, `dig` and `ssh` replaced at the PATH
 * boundary by stand-ins (test/support/drillFakes.ts) whose `pulumi up` runs the product's flip
 * (components/patroniFlip/run.ts). The CLI runs as the workflow runs it, from a third region that
 * reaches both databases; its report, metrics and flips are checked against the cluster itself.
 * The heartbeat row is written by the test as the hosts' heartbeat timer writes it on the leader.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alarmCatalog } from "../../domain/alarmCatalog";
import { customMetricDimensions } from "../../domain/metricContract";
import { drillAgeAlarmDays, drillAgeDays, DRILL_METRICS, type DrillReport } from "../../domain/drillRun";
import type { Measurements } from "../../domain/readiness";
import { parseStackConfig } from "../../infra/parseConfig";
import { loadStackConfig } from "../../tools/offline";
import { PatroniLab, REGION_CODES } from "../../dev/patroni/lab";
import type { PgNode } from "../../dev/postgres/cluster";
import { decodeMetricCall, waitFor } from "../../dev/postgres/pgbackrest";
import { installDrillFakes, type DrillFakes } from "../support/drillFakes";
import { runCommand, type CommandResult } from "../../tools/process/exec";

const root = join(__dirname, "../..");
const ZONE = "dr.drill.test";

/** `npm run drill -- ARGS` as the workflow runs it, with the stand-ins first on PATH, from the witness region. */
function drillCli(fakes: DrillFakes, args: string[]): Promise<CommandResult> {
  const [command, argv] = fakes.wrap(process.execPath, [join(root, "tools/cli/run.js"), join(root, "tools/cli/drill.ts"), ...args]);
  return runCommand(command, argv, { cwd: root, env: { PATH: `${fakes.binDir}:${process.env.PATH}` }, timeoutMs: 600_000 });
}

let lab: PatroniLab;
let east: PgNode;
let west: PgNode;
let fakes: DrillFakes;
let reports: string;

const serverTime = async (node: PgNode, expression: string) =>
  (await node.sqlValue(`SELECT to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`))!;
const heartbeatOf = (node: PgNode) => serverTime(node, "SELECT beat_at FROM crazy_gary_dr.heartbeat WHERE id = 1");
const streaming = async (standby: PgNode) => (await standby.isInRecovery()) && (await standby.sqlValue("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")) === "1";
/** The heartbeat host script's write on the leader (components/databaseHost heartbeat.sh: table from configure-postgres.sh, one row). */
const beatOn = (node: PgNode) =>
  node.sql(
    "CREATE SCHEMA IF NOT EXISTS crazy_gary_dr; CREATE TABLE IF NOT EXISTS crazy_gary_dr.heartbeat (id integer PRIMARY KEY CHECK (id = 1), beat_at timestamptz NOT NULL); " +
      "INSERT INTO crazy_gary_dr.heartbeat VALUES (1, clock_timestamp()) ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at",
  );

beforeAll(async () => {
  lab = await PatroniLab.create({ label: "drill" });
  east = lab.members.primary.node;
  west = lab.members.secondary.node;
  fakes = await installDrillFakes(await lab.sandbox.makeDir("fakes"), lab, ZONE);
  reports = await lab.sandbox.makeDir("reports");
});
afterAll(async () => {
  await lab?.destroy();
});

const runArgs = (extra: string[] = []) => [
  "run", "--drill", "quarterly-dr-simulation", "--stack", "dr", "--where", "https://ci.example/run/1",
  "--report-dir", reports, "--measurements", join(reports, "measurements.json"), "--poll-ms", "100", "--ssl-mode", "disable", ...extra,
];

describe("npm run drill -- run: refusal on prod", () => {
  it("refuses prod without the typed confirmation, exit 2, and calls no program at all", async () => {
    const result = await drillCli(fakes, ["run", "--drill", "semi-annual-failover-test", "--stack", "prod", "--confirm", "yes please", "--report-dir", reports]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--confirm: "yes please" does not confirm a drill against prod; type "drill prod"');
    expect(result.stdout).toBe("");
    expect(await fakes.calls()).toEqual([]);
  });
});

describe("npm run drill -- run: a drill of the dr stack", () => {
  let result: CommandResult;
  let report: DrillReport;
  let beat: string;

  beforeAll(async () => {
    await beatOn(east);
    beat = await heartbeatOf(east);
    await west.waitForReplay(east);
    result = await drillCli(fakes, runArgs());
    report = JSON.parse(await readFile(join(reports, "drill-quarterly-dr-simulation.json"), "utf8")) as DrillReport;
  });

  it("passes: exit 0, the report says passed with no failure", () => {
    expect({ code: result.code, failures: report.failures }).toEqual({ code: 0, failures: [] });
    expect(report).toMatchObject({ drill: "quarterly-dr-simulation", stack: "dr", outcome: "passed", where: "https://ci.example/run/1", from: { role: "primary", region: REGION_CODES.primary }, to: { role: "secondary", region: REGION_CODES.secondary } });
    expect(result.stdout).toContain("## Drill quarterly-dr-simulation on dr: passed");
  });

  it("measures the phases: real, positive, in order (new leader, DNS switch, first write), within the run", () => {
    const { promotion, dnsSwitch, firstWrite } = report.phases;
    expect(promotion.seconds).toBeGreaterThan(0);
    expect(dnsSwitch.seconds).toBeGreaterThan(promotion.seconds!);
    expect(firstWrite.seconds).toBeGreaterThan(dnsSwitch.seconds!);
    const run = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
    expect(firstWrite.seconds! * 1000).toBeLessThan(run);
    for (const phase of [promotion, dnsSwitch, firstWrite]) expect(Date.parse(phase.at!) - Date.parse(report.startedAt)).toBeCloseTo(phase.seconds! * 1000, -1);
  });

  it("puts the data lost at the heartbeat row's age when the secondary became the leader", () => {
    expect(report.dataLost.heartbeatAt).toBe(beat);
    expect(report.dataLost.seconds).toBe((Date.parse(report.dataLost.promotedAt!) - Date.parse(beat)) / 1000);
    expect(report.dataLost.seconds).toBeGreaterThan(0);
    // Promoted after the flip started, no later than the runner saw it.
    expect(Date.parse(report.dataLost.promotedAt!)).toBeGreaterThanOrEqual(Date.parse(report.startedAt));
    expect(Date.parse(report.dataLost.promotedAt!)).toBeLessThanOrEqual(Date.parse(report.phases.promotion.at!) + 50);
  });

  it("flipped the documented way: config set secondary, up (a switchover), config set primary, up (a switchover back); no ssh", async () => {
    const calls = (await fakes.calls()).filter((c) => !(c[0] === "pulumi" && c[2] === "get") && c[0] !== "dig");
    expect(calls.map((c) => c.slice(0, 4).join(" "))).toEqual([
      "pulumi config set activeRegion",
      "pulumi up --yes --policy-pack",
      "pulumi config set activeRegion",
      "pulumi up --yes --policy-pack",
      "aws cloudwatch put-metric-data --region",
      "aws cloudwatch put-metric-data --region",
    ]);
    expect(calls.filter((c) => c[1] === "config" && c[2] === "set").map((c) => c[4])).toEqual(["secondary", "primary"]);
    expect(report.flipBack.outcome).toBe("done");
    expect(await fakes.activeRole()).toBe("primary");
  });

  it("leaves the pair as it found it: east the leader, west streaming from it as Patroni's replica", async () => {
    expect(await east.isInRecovery()).toBe(false);
    expect((await lab.members.primary.rest("/primary")).status).toBe(200);
    await lab.waitForRole(lab.members.secondary, "replica");
    await waitFor("west to stream from east again", 120_000, () => streaming(west));
    expect(await west.sqlValue("SELECT count(*) FROM crazy_gary_dr.drill_write WHERE drill = 'quarterly-dr-simulation'")).toBe("2");
  });

  it("publishes DrDrillAgeDays 0 and the measured times in both regions, in the alarm's namespace with its dimensions", async () => {
    const puts = (await fakes.calls()).filter((c) => c[0] === "aws").map((c) => decodeMetricCall(c.slice(1)));
    expect(puts.map((p) => p.region)).toEqual([REGION_CODES.primary, REGION_CODES.secondary]);
    const alarm = alarmCatalog(parseStackConfig(loadStackConfig("dr"))).find((a) => a.id === "drill-overdue")!;
    expect(alarm.expression).toMatchObject({ kind: "metric", metric: { namespace: DRILL_METRICS.namespace, name: DRILL_METRICS.ageDays } });
    expect(alarm.threshold).toBe(drillAgeAlarmDays);
    for (const put of puts) {
      expect(put.namespace).toBe(DRILL_METRICS.namespace);
      const byName = Object.fromEntries(put.data.map((d) => [d.MetricName, d]));
      expect(byName).toMatchObject({
        DrDrillAgeDays: { Value: 0, Unit: "None" },
        DrDrillPromotionSeconds: { Value: report.phases.promotion.seconds, Unit: "Seconds" },
        DrDrillDnsSwitchSeconds: { Value: report.phases.dnsSwitch.seconds, Unit: "Seconds" },
        DrDrillFirstWriteSeconds: { Value: report.phases.firstWrite.seconds, Unit: "Seconds" },
        DrDrillDataLostSeconds: { Value: report.dataLost.seconds, Unit: "Seconds" },
      });
      for (const datum of put.data) expect(datum.Dimensions).toEqual(customMetricDimensions.map((name) => ({ Name: name, Value: name === "Environment" ? "dr" : put.region })));
    }
  });

  it("writes the Markdown report beside the JSON, and `record --report` keeps the measured times for readiness", async () => {
    const markdown = await readFile(join(reports, "drill-quarterly-dr-simulation.md"), "utf8");
    expect(markdown).toContain(`| promotion | ${report.phases.promotion.seconds!.toFixed(3)} s |`);
    expect(markdown).toContain(`Data lost (heartbeat row's age at the leader change): ${report.dataLost.seconds!.toFixed(3)} s`);
    const recorded = await drillCli(fakes, ["record", "--drill", "quarterly-dr-simulation", "--stack", "dr", "--outcome", "passed", "--where", report.where, "--report", join(reports, "drill-quarterly-dr-simulation.json"), "--measurements", join(reports, "measurements.json")]);
    expect(recorded).toMatchObject({ code: 0, stdout: "recorded quarterly-dr-simulation: passed with its measured times\n" });
    const file = JSON.parse(await readFile(join(reports, "measurements.json"), "utf8")) as Measurements;
    expect(file.drills["quarterly-dr-simulation"]?.measured).toEqual({
      promotionSeconds: report.phases.promotion.seconds,
      dnsSwitchSeconds: report.phases.dnsSwitch.seconds,
      firstWriteSeconds: report.phases.firstWrite.seconds,
      dataLostSeconds: report.dataLost.seconds,
    });
  });
});

describe("npm run drill -- run: DNS never moves", () => {
  let result: CommandResult;
  let report: DrillReport;
  let callsBefore: number;

  beforeAll(async () => {
    await waitFor("west to stream from east before the second drill", 120_000, () => streaming(west));
    callsBefore = (await fakes.calls()).length;
    await fakes.stickDns(true);
    result = await drillCli(fakes, runArgs(["--dns-seconds", "15"]));
    await fakes.stickDns(false);
    report = JSON.parse(await readFile(join(reports, "drill-quarterly-dr-simulation.json"), "utf8")) as DrillReport;
  });

  it("fails: exit 1, the DNS phase named, no write attempted, no time invented", () => {
    expect(result.code).toBe(1);
    expect(report.outcome).toBe("failed");
    expect(report.phases.promotion.seconds).toBeGreaterThan(0);
    expect(report.phases.dnsSwitch).toMatchObject({ seconds: null, at: null });
    expect(report.phases.dnsSwitch.error).toContain("DNS switch (every failover name answering with the secondary's endpoint): not seen within its deadline");
    expect(report.phases.firstWrite).toMatchObject({ seconds: null, error: "not attempted: new leader or DNS switch not seen" });
    expect(report.failures[0]).toMatch(/^dnsSwitch: not reached/);
  });

  it("still flips back the documented way: activeRegion primary, east the leader, west streaming again", async () => {
    const calls = (await fakes.calls()).slice(callsBefore);
    expect(calls.filter((c) => c[1] === "config" && c[2] === "set").map((c) => c[4])).toEqual(["secondary", "primary"]);
    expect(calls.filter((c) => c[0] === "ssh")).toEqual([]);
    expect(report.flipBack.outcome).toBe("done");
    expect(await fakes.activeRole()).toBe("primary");
    expect(await east.isInRecovery()).toBe(false);
    await waitFor("west to stream from east again", 120_000, () => streaming(west));
  });

  it("publishes the times it measured and the previous drill's age (a failed drill does not reset the clock)", async () => {
    const measurements = JSON.parse(await readFile(join(reports, "measurements.json"), "utf8")) as Measurements;
    const puts = (await fakes.calls()).slice(callsBefore).filter((c) => c[0] === "aws").map((c) => decodeMetricCall(c.slice(1)));
    expect(puts).toHaveLength(2);
    for (const put of puts) {
      const names = put.data.map((d) => d.MetricName);
      expect(names).toContain("DrDrillPromotionSeconds");
      expect(names).not.toContain("DrDrillDnsSwitchSeconds");
      // The age of the previous passed drill (recorded minutes ago: 0.0 days), not a reset.
      expect(put.data.find((d) => d.MetricName === "DrDrillAgeDays")?.Value).toBe(drillAgeDays(measurements.drills, new Date()));
    }
  });
});
