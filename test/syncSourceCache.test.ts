/**
 * dr's offline plan keeps prod's synced outputs between runs (tools/offline/syncSourceCache.ts):
 * under a key of exactly what they depend on, and only the outputs dr reads.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncedOutputNames } from "../infra/syncSource";
import { cachedSyncedOutputs, syncedOutputsSlot, type SyncedOutputsSlot } from "../tools/offline/syncSourceCache";

const loaded: { engineConfig: Record<string, string>; engineSecretKeys: string[] } = {
  engineConfig: { "crazy-gary-dr:environment": "prod", "crazy-gary-dr:activeRegion": "primary" },
  engineSecretKeys: ["crazy-gary-dr:databaseSecrets"],
};
const bundle = { tool: "plan", sha256: "a".repeat(64) };
const prodOutputs = { environment: { LOG_LEVEL: "info" }, schemaVersion: "sha256:" + "b".repeat(64), schemaSource: { host: "db.internal" }, alarmCount: 38 };

describe("the key of prod's synced outputs", () => {
  const key = (changes: Partial<typeof loaded> = {}, changedBundle = bundle) => syncedOutputsSlot("prod", { ...loaded, ...changes }, changedBundle)!.key;

  it("is the same for the same code, config and run id, whatever the config's key order", () => {
    const reordered = Object.fromEntries(Object.entries(loaded.engineConfig).reverse());
    expect(key({ engineConfig: reordered })).toBe(key());
  });

  it.each([
    ["a config value", { engineConfig: { ...loaded.engineConfig, "crazy-gary-dr:activeRegion": "secondary" } }],
    ["a config key added", { engineConfig: { ...loaded.engineConfig, "crazy-gary-dr:retention": "{}" } }],
    ["which keys are secret", { engineSecretKeys: [] }],
  ])("changes with %s", (_what, changes) => {
    expect(key(changes)).not.toBe(key());
  });

  it("changes with the bundle's code", () => {
    expect(key({}, { ...bundle, sha256: "c".repeat(64) })).not.toBe(key());
  });

  it("changes with CRAZY_GARY_RUN_ID, the program's one environment variable", () => {
    const saved = process.env.CRAZY_GARY_RUN_ID;
    try {
      delete process.env.CRAZY_GARY_RUN_ID;
      const unset = key();
      process.env.CRAZY_GARY_RUN_ID = "run-42";
      expect(key()).not.toBe(unset);
      // What an evaluation sets when it is unset: a second plan in the same process keeps the key.
      process.env.CRAZY_GARY_RUN_ID = "offline-plan";
      expect(key()).toBe(unset);
    } finally {
      if (saved === undefined) delete process.env.CRAZY_GARY_RUN_ID;
      else process.env.CRAZY_GARY_RUN_ID = saved;
    }
  });

  it("names one file per source stack, tool and key", () => {
    const slot = syncedOutputsSlot("prod", loaded, bundle)!;
    expect(path.basename(slot.file)).toBe(`prod.plan.${slot.key.slice(0, 16)}.json`);
    expect(path.basename(syncedOutputsSlot("prod", loaded, { ...bundle, tool: "policy" })!.file)).toMatch(/^prod\.policy\./);
  });

  it("is absent for code loaded from its sources (no fingerprint of the code)", () => {
    expect(syncedOutputsSlot("prod", loaded)).toBeUndefined();
  });
});

describe("cachedSyncedOutputs", () => {
  let dir: string;
  let evaluations: number;
  const slot = (key: string): SyncedOutputsSlot => ({ file: path.join(dir, `prod.plan.${key.slice(0, 16)}.json`), key });
  const evaluate = async () => {
    evaluations++;
    return prodOutputs;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "sync-source-"));
    evaluations = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("evaluates once and reads the outputs back under the same key: only those dr reads", async () => {
    const first = await cachedSyncedOutputs("prod", slot("1".repeat(64)), evaluate);
    const second = await cachedSyncedOutputs("prod", slot("1".repeat(64)), evaluate);
    expect(evaluations).toBe(1);
    expect(Object.keys(first)).toEqual([...syncedOutputNames]);
    expect(second).toEqual(first);
    expect(second.schemaVersion).toBe(prodOutputs.schemaVersion);
  });

  it("evaluates again when the file holds another key", async () => {
    const file = slot("1".repeat(64)).file;
    await cachedSyncedOutputs("prod", slot("1".repeat(64)), evaluate);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), key: "2".repeat(64) }));
    await cachedSyncedOutputs("prod", slot("1".repeat(64)), evaluate);
    expect(evaluations).toBe(2);
  });

  it("evaluates every time without a slot, and for an unreadable file", async () => {
    await cachedSyncedOutputs("prod", undefined, evaluate);
    await cachedSyncedOutputs("prod", undefined, evaluate);
    writeFileSync(slot("3".repeat(64)).file, "{ cut sh");
    await cachedSyncedOutputs("prod", slot("3".repeat(64)), evaluate);
    expect(evaluations).toBe(3);
    expect(readdirSync(dir)).toEqual([path.basename(slot("3".repeat(64)).file)]);
  });

  it("keeps the newest four files of a stack and tool", async () => {
    const keys = ["4", "5", "6", "7", "8"].map((d) => d.repeat(64));
    for (const [i, key] of keys.entries()) {
      await cachedSyncedOutputs("prod", slot(key), evaluate);
      const at = new Date(Date.now() - (keys.length - i) * 60_000);
      utimesSync(slot(key).file, at, at);
    }
    await cachedSyncedOutputs("prod", slot("9".repeat(64)), evaluate);
    expect(readdirSync(dir).sort()).toEqual(["6", "7", "8", "9"].map((d) => path.basename(slot(d.repeat(64)).file)));
  });
});
