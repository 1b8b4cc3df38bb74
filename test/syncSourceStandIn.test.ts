/**
 * dr's offline plan reads prod's synced outputs from a pure function of prod's config
 * (tools/offline/syncSourceStandIn.ts), not from an evaluation of prod's program: every value
 * must be the one prod's program exports when it is evaluated under the mock engine.
 */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../infra/parseConfig";
import { syncedOutputNames } from "../infra/environmentSync/source";
import { loadStackConfig } from "../tools/offline";
import { effectiveStackConfig, syncedOutputsOf } from "../tools/offline/syncSourceStandIn";
import { sharedPlan } from "./support/plans";

const syncedOutputsFrom = (outputs: Record<string, unknown>) => Object.fromEntries(syncedOutputNames.map((name) => [name, outputs[name]]));

describe("prod's synced outputs as dr's offline plan stands them in", () => {
  it.each([
    ["as committed", []],
    ["after a flip", ["activeRegion=secondary"]],
    ["with another active database address and app setting", ["activeRegion=secondary", "databases.secondary.pgPort=6543", "databases.secondary.database=orders", "app.LOG_LEVEL=debug"]],
    ["with other regions", ["regions.primary=eu-west-1", "regions.secondary=eu-central-1"]],
  ])("are prod's evaluated outputs %s", async (_, set) => {
    const prod = await sharedPlan("prod", set);
    const standIn = syncedOutputsOf(parseStackConfig(loadStackConfig("prod", { set })));
    expect(standIn).toEqual(syncedOutputsFrom(prod.outputs));
    // The values dr's schema sync and settings read, not empty placeholders.
    expect(standIn.schemaVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(standIn.schemaSource).toMatchObject({ user: "schema_reader", passwordSecretArn: expect.stringMatching(/^arn:aws:secretsmanager:/) });
    expect(Object.keys((standIn.environment as { settings: object }).settings).length).toBeGreaterThan(10);
  });

  it("differ when prod's active database does (the value is read from the config, not fixed)", () => {
    const before = syncedOutputsOf(parseStackConfig(loadStackConfig("prod")));
    const after = syncedOutputsOf(parseStackConfig(loadStackConfig("prod", { set: ["activeRegion=secondary"] })));
    expect(after.schemaVersion).not.toBe(before.schemaVersion);
    expect(after.schemaSource).not.toEqual(before.schemaSource);
  });

  it("are, for a stack that itself follows another, the outputs its evaluation exports (dr's, from its synced config)", async () => {
    const dr = await sharedPlan("dr");
    expect(syncedOutputsOf(effectiveStackConfig("dr"))).toEqual(syncedOutputsFrom(dr.outputs));
  });
});
