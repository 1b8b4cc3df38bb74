import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { projectName } from "../infra/config";
import { syncedTopLevelKeys } from "../infra/environmentSync/syncedSettings";
import { listStacks, repositoryRoot } from "../tools/offline";
import { refuseRepeatedSets } from "../tools/offline/stackFiles";

type ConfigMap = Record<string, unknown>;

const readYaml = (file: string) => parseYaml(fs.readFileSync(path.join(repositoryRoot, file), "utf8")) as { config?: ConfigMap };
const namespaced = (key: string) => (key.includes(":") ? key : `${projectName}:${key}`);

/** Pulumi.yaml's project-level config, namespaced keys to values. */
function projectConfig(): ConfigMap {
  const declared = readYaml("Pulumi.yaml").config ?? {};
  return Object.fromEntries(Object.entries(declared).map(([key, d]) => [namespaced(key), d !== null && typeof d === "object" && "value" in d ? (d as { value: unknown }).value : d]));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function valueAt(project: ConfigMap, dotted: string): unknown {
  const [top, ...rest] = dotted.split(".");
  return rest.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as ConfigMap)[key] : undefined), project[namespaced(top)]);
}

/**
 * What a stack file repeats unchanged from Pulumi.yaml: a key with the same value, or a
 * `sync.overrides` entry whose value is the shared one (an override that changes nothing).
 */
function repeatedSharedValues(project: ConfigMap, stackFile: ConfigMap): string[] {
  const repeats = Object.entries(stackFile)
    .filter(([key, value]) => namespaced(key) in project && same(project[namespaced(key)], value))
    .map(([key]) => key);
  const overrides = ((stackFile[namespaced("sync")] as { overrides?: Record<string, { value: unknown }> } | undefined)?.overrides ?? {}) as Record<string, { value: unknown }>;
  for (const [key, override] of Object.entries(overrides)) {
    if (same(valueAt(project, key), override.value)) repeats.push(`${projectName}:sync.overrides.${key}`);
  }
  return repeats;
}

describe.each(listStacks())("Pulumi.%s.yaml holds only what differs", (stack) => {
  const stackFile = readYaml(`Pulumi.${stack}.yaml`).config ?? {};

  it("repeats no shared value from Pulumi.yaml unchanged", () => {
    expect(repeatedSharedValues(projectConfig(), stackFile)).toEqual([]);
  });

  it("sets no synced key (shared settings live in Pulumi.yaml; a stack that differs says so in sync.overrides)", () => {
    expect(Object.keys(stackFile).filter((key) => syncedTopLevelKeys.map(namespaced).includes(namespaced(key)))).toEqual([]);
  });
});

describe("the repeat check itself", () => {
  const project = { [`${projectName}:retention`]: { walHours: 48, fullDays: 30 }, [`${projectName}:app`]: { LOG_LEVEL: "info" } };

  it.each([
    ["a whole key repeated", { [`${projectName}:retention`]: { walHours: 48, fullDays: 30 } }, [`${projectName}:retention`]],
    ["an override equal to the shared value", { [`${projectName}:sync`]: { overrides: { "app.LOG_LEVEL": { value: "info", reason: "none at all" } } } }, [`${projectName}:sync.overrides.app.LOG_LEVEL`]],
    ["a changed value", { [`${projectName}:retention`]: { walHours: 72, fullDays: 30 } }, []],
    ["an override that differs", { [`${projectName}:sync`]: { overrides: { "app.LOG_LEVEL": { value: "debug", reason: "drills need it" } } } }, []],
  ])("reports %s", (_case, stackFile, expected) => {
    expect(repeatedSharedValues(project, stackFile)).toEqual(expected);
  });
});

describe("--set given twice", () => {
  it("is refused naming the key and both settings, the project prefix and quoting aside", () => {
    expect(() => refuseRepeatedSets(["activeRegion=secondary", "crazy-gary-dr:activeRegion=primary"])).toThrow(
      "--set activeRegion: given twice (activeRegion=secondary and crazy-gary-dr:activeRegion=primary); give each key once, e.g. --set crazy-gary-dr:activeRegion=primary",
    );
    expect(() => refuseRepeatedSets(["regions.primary=us-east-1", "regions.secondary=us-west-2"])).not.toThrow();
  });
});
