/**
 * #21 "First deploy adopts each running PostgreSQL", by the stack's own configure step: a primary
 * and its streaming standby run without Patroni, configured the old path's way (archive_mode on
 * and the archive settings in postgresql.auto.conf by ALTER SYSTEM), an application writer commits
 * on the primary, and `configure-postgres.sh` (as the host's `-configure` step runs it) hands each
 * host to Patroni 3.0.2, primary first: it writes Patroni's environment from the host's secrets,
 * starts Patroni (here `systemctl` is dev/patroni/systemctlLauncher.ts, which starts it with that
 * environment file as Debian's unit would), resets the old ALTER SYSTEM settings, restarts
 * PostgreSQL through Patroni (pending_restart: archive_mode always) and PATCHes the dynamic
 * configuration (https://patroni.readthedocs.io/en/latest/existing_data.html, citations P6). The
 * primary stays the primary, no acknowledged commit is lost, and a second run restarts nothing.
 * Then the REST API's secret is rotated and the script runs again: Patroni reads its environment
 * only at start, so it restarts Patroni, in pause mode ("When Patroni is stopped, it does not try
 * to stop the Postgres instance it is managing", https://patroni.readthedocs.io/en/latest/pause.html):
 * PostgreSQL keeps running (same postmaster start time), the leader stays the leader, and the REST
 * API takes the new password and refuses the old.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FollowingWriter, longestGap, queryOnce, type WriterLog } from "../../dev/patroni/clients";
import { PatroniLab } from "../../dev/patroni/lab";
import { installSystemctlLauncher } from "../../dev/patroni/systemctlLauncher";
import { inRegion, startUnmanagedPrimary, startUnmanagedStandby } from "../../dev/patroni/unmanaged";
import { waitFor } from "../../dev/postgres/pgbackrest";
import type { CommandResult } from "../../tools/process/exec";
import { pgbackrestCommands } from "../../components/databaseHost/patroniFile";

let lab: PatroniLab;
let log: WriterLog;
const configure: Record<"primary" | "secondary" | "again" | "rotated", CommandResult | undefined> = { primary: undefined, secondary: undefined, again: undefined, rotated: undefined };
const REST_SECRET = "crazy-gary/prod/patroni/rest-api";
/** The REST API's password after the rotation (letters and digits, as the stack generates). */
const ROTATED_PASSWORD = "PwRotatedRest2";
let rotation: { startBefore: string | undefined; startAfter: string | undefined; oldPassword: number; newPassword: number; pause: unknown };
const systemctlCalls: Record<string, string> = {};

async function checked(result: CommandResult, what: string): Promise<CommandResult> {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

beforeAll(async () => {
  lab = await PatroniLab.create({ label: "adoptcfg", startPatroni: false, namespacePrefix: "cghp-" });
  const { primary, secondary } = lab.members;
  const commands = pgbackrestCommands(primary.host.configFile, "crazy-gary", 1);

  await startUnmanagedPrimary(lab, {});
  // The old path's settings, as its configure-postgres.sh left them: ALTER SYSTEM, archive_mode on.
  await primary.node.sql(`ALTER SYSTEM SET archive_mode = 'on'; ALTER SYSTEM SET archive_command = '${commands.archiveCommand}'; ALTER SYSTEM SET archive_timeout = 60`);
  await inRegion(lab, primary, "pg_ctl", ["-D", primary.node.dataDir, "-l", primary.node.logFile, "-m", "fast", "-w", "-t", "120", "restart"]);
  await lab.prepareLeader();
  await primary.node.sql("CREATE TABLE acked (id int PRIMARY KEY)");

  await startUnmanagedStandby(lab);

  for (const member of [primary, secondary]) {
    await member.host.aws.storeSecret(REST_SECRET, JSON.stringify({ username: lab.restApi.user, password: lab.restApi.password }));
    systemctlCalls[member.name] = await installSystemctlLauncher(member);
  }

  const writer = new FollowingWriter([primary.node], "acked");
  writer.start();
  try {
    await waitFor("commits before the adoption", 60_000, async () => writer.acks.length >= 200, 50);
    configure.primary = await checked(await primary.runScript("configure-postgres.sh"), "configure-postgres.sh on the primary");
    configure.secondary = await checked(await secondary.runScript("configure-postgres.sh"), "configure-postgres.sh on the standby");
    await waitFor("the standby to be Patroni's replica", 180_000, async () => (await secondary.rest("/replica")).status === 200, 500);
    const before = writer.acks.length;
    await waitFor("commits after the adoption", 120_000, async () => writer.acks.length >= before + 200, 100);
  } finally {
    log = await writer.stop();
  }
  configure.again = await checked(await primary.runScript("configure-postgres.sh"), "configure-postgres.sh on the primary, again");

  const startTime = () => primary.node.sqlValue("SELECT pg_postmaster_start_time()::text");
  const startBefore = await startTime();
  await primary.host.aws.storeSecret(REST_SECRET, JSON.stringify({ username: lab.restApi.user, password: ROTATED_PASSWORD }));
  configure.rotated = await checked(await primary.runScript("configure-postgres.sh"), "configure-postgres.sh on the primary after the REST secret's rotation");
  // An unsafe call that changes nothing (the script left pause off), with each password.
  const unpause = (password: string) => primary.rest("/config", { method: "PATCH", body: { pause: false }, auth: `${lab.restApi.user}:${password}` });
  rotation = {
    startBefore,
    startAfter: await startTime(),
    oldPassword: (await unpause(lab.restApi.password)).status,
    newPassword: (await unpause(ROTATED_PASSWORD)).status,
    pause: (JSON.parse((await primary.rest("/config")).body) as { pause?: unknown }).pause,
  };
});

afterAll(async () => {
  await lab?.destroy();
});

describe("configure-postgres.sh adopts a running primary and its standby", () => {
  it("hands each to Patroni, primary first: Patroni started with the written environment, PostgreSQL restarted through it for archive_mode=always", async () => {
    for (const run of [configure.primary!, configure.secondary!]) {
      expect(run.stdout).toContain("started patroni.service: Patroni manages this host's PostgreSQL");
      expect(run.stdout).toContain("PostgreSQL: its configuration is out of date (pending_restart): restarting it through Patroni");
    }
    expect(configure.primary!.stdout).toContain("reset the ALTER SYSTEM settings of the old path: archive_mode archive_command archive_timeout");
    for (const member of Object.values(lab.members)) {
      expect(await member.node.sqlValue("SHOW archive_mode")).toBe("always");
      expect(await member.node.sqlValue("SELECT count(*) FROM pg_file_settings WHERE name LIKE 'archive%' AND sourcefile LIKE '%postgresql.auto.conf'")).toBe("0");
      expect((await readFile(systemctlCalls[member.name]!, "utf8")).split("\n")).toContain("enable --now patroni.service");
    }
  });

  it("keeps the primary the leader and the standby its streaming replica", async () => {
    const { primary, secondary } = lab.members;
    expect((await primary.rest("/primary")).status).toBe(200);
    expect((await secondary.rest("/replica")).status).toBe(200);
    expect(configure.primary!.stdout).toMatch(/stanza crazy-gary (exists in every repository|ready and checked)/);
    expect(configure.secondary!.stdout).toContain("not the leader (Patroni's GET /primary is not 200 here)");
  });

  it("loses no acknowledged commit", async () => {
    const present = new Set((await queryOnce(lab.members.primary.node, "SELECT id FROM acked")).map((row) => Number(row.id)));
    expect(log.acks.length).toBeGreaterThanOrEqual(400);
    expect(log.acks.filter((ack) => !present.has(ack.id))).toEqual([]);
  });

  it("is idempotent: a second run reloads Patroni and restarts nothing", () => {
    expect(configure.again!.stdout).toContain("reloaded patroni.service (patroni.yml reread)");
    expect(configure.again!.stdout).not.toContain("restarting it through Patroni");
  });

  it("restarts Patroni in pause mode when the REST secret is rotated: PostgreSQL keeps running as the leader, the API takes the new password and refuses the old", async () => {
    const { primary } = lab.members;
    expect(configure.rotated!.stdout).toContain("restarted patroni.service in pause mode (PostgreSQL kept running) for its new environment");
    expect((await readFile(systemctlCalls[primary.name]!, "utf8")).split("\n")).toContain("restart patroni.service");
    expect(rotation.startAfter).toBe(rotation.startBefore);
    expect([rotation.newPassword, rotation.oldPassword]).toEqual([200, 401]);
    expect(rotation.pause ?? false).toBe(false);
    expect((await primary.rest("/primary")).status).toBe(200);
  });

  it("reports the write unavailability of the adoption", async ({ annotate }) => {
    const gap = longestGap(log.acks);
    await annotate(`write unavailability ${gap.ms.toFixed(0)} ms over the adoption by configure-postgres.sh (primary, then standby); ${log.acks.length} commits acknowledged, ${log.failures} failed statements`);
  });
});
