/**
 * A planned flip under a steady write load, on real PostgreSQL 15: two application clients
 * commit numbered rows on the old primary (one with synchronous_commit on, one with it off,
 * which acknowledges before the commit record is flushed) and record each acknowledged id;
 * promote.sh fences the old primary, waits for the standby to replay its final WAL position,
 * and promotes. Every acknowledged commit must be on the new primary.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgSandbox } from "../../dev/postgres/cluster";
import { plannedFlipUnderLoad, type LoadedFlip } from "../../dev/postgres/plannedFlip";

/** How late the standby receives the old primary's WAL: a slow link between regions, so a promotion that does not wait loses commits. */
const LINK_DELAY_MS = 1500;

let sandbox: PgSandbox;
let flip: LoadedFlip;
let control: LoadedFlip;
let leaseFirst: LoadedFlip;
beforeAll(async () => {
  sandbox = await PgSandbox.create("promotion-load");
  flip = await plannedFlipUnderLoad(sandbox, { prefix: "flip", linkDelayMs: LINK_DELAY_MS });
  control = await plannedFlipUnderLoad(sandbox, { prefix: "control", linkDelayMs: LINK_DELAY_MS, withoutCatchUp: true });
  leaseFirst = await plannedFlipUnderLoad(sandbox, { prefix: "lease", linkDelayMs: LINK_DELAY_MS, leaseFencesFirst: true });
});
afterAll(async () => {
  await sandbox?.destroy();
});

describe(`a planned flip under a steady write load, the standby's WAL ${LINK_DELAY_MS} ms late`, () => {
  it("promotes after the standby replayed the fenced primary's final WAL position, waiting at least the link's delay", () => {
    expect(flip.measured!.result.code).toBe(0);
    expect(flip.measured!.result.stdout).toContain("promote: promoted us-west-2; it accepts writes");
    expect(flip.measured!.msCatchingUp).toBeGreaterThanOrEqual(LINK_DELAY_MS * 0.9);
  });

  it.each(["sync", "async"] as const)("loses no commit the old primary acknowledged (%s commit writer)", (writer) => {
    const { acked, missing } = flip.writers[writer];
    expect(acked.length).toBeGreaterThanOrEqual(200);
    expect(missing).toEqual([]);
  });

  it("stopped each writer by the fence (its session was ended), not by anything else", () => {
    for (const writer of Object.values(flip.writers)) expect(writer.stderr).toContain("terminating connection due to administrator command");
  });

  it("would lose acknowledged commits without the wait: the control ends the writers' sessions, then promotes at once", () => {
    expect(control.measured).toBeUndefined();
    const lost = control.writers.sync.missing.length + control.writers.async.missing.length;
    expect(lost).toBeGreaterThan(0);
  });
});

describe("a planned flip under load when the old primary's lease fenced it before promote.sh could", () => {
  it("finds it fenced, waits for the fence to finish and the standby to replay all it received, then promotes", () => {
    const { stdout, code } = leaseFirst.measured!.result;
    expect(code).toBe(0);
    expect(stdout).toContain("promote: us-east-1 is fenced already");
    expect(stdout).toMatch(/us-west-2 replayed all WAL its receiver got from us-east-1 \(now at [0-9A-F]+\/[0-9A-F]+\) after \d+ ms of waiting/);
  });

  it.each(["sync", "async"] as const)("loses no commit the old primary acknowledged (%s commit writer)", (writer) => {
    expect(leaseFirst.writers[writer].acked.length).toBeGreaterThanOrEqual(200);
    expect(leaseFirst.writers[writer].missing).toEqual([]);
  });
});
