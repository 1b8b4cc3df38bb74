/**
 * One direction for dependencies (docs/architecture/README.md#layers): domain <- components
 * <- infra, domain <- policies, tools on top, and dev/ (the development harness: real-PostgreSQL
 * helpers, benches, docs generator) above tools; nothing in tools/ imports dev/; tests may use anything. Reads every import
 * and require of the product code and fails on one that points against that direction.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const layers = ["domain", "components", "infra", "policies", "tools", "dev", "test"] as const;
type Layer = (typeof layers)[number];

/** Which layers each layer may import, and whether it may import packages (npm, node:). */
const allowed: Record<Layer, { layers: readonly Layer[]; packages: boolean | RegExp }> = {
  domain: { layers: ["domain"], packages: /^node:/ },
  components: { layers: ["domain", "components"], packages: true },
  infra: { layers: ["domain", "components", "infra"], packages: true },
  policies: { layers: ["domain", "policies"], packages: /^(node:|@pulumi\/(policy|pulumi|aws)$)/ },
  tools: { layers: ["domain", "components", "infra", "policies", "tools"], packages: true },
  dev: { layers: ["domain", "components", "infra", "policies", "tools", "dev"], packages: true },
  test: { layers: [...layers], packages: true },
};

const sourceFiles = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.js", "*.mts"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((f) => f && layers.includes(f.split("/")[0] as Layer));

const importPattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;

export function importsOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), "utf8");
  return [...text.matchAll(importPattern)].map((m) => m[1]);
}

/** The layer an import lands in, or "package" for npm and node built-ins. */
function targetOf(file: string, specifier: string): Layer | "package" | "outside" {
  if (!specifier.startsWith(".")) return "package";
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  const top = target.split("/")[0];
  return layers.includes(top as Layer) ? (top as Layer) : "outside";
}

export function violations(file: string, specifiers: readonly string[]): string[] {
  const layer = file.split("/")[0] as Layer;
  const rule = allowed[layer];
  return specifiers.flatMap((specifier) => {
    const target = targetOf(file, specifier);
    if (target === "package") {
      const ok = rule.packages === true || (rule.packages instanceof RegExp && rule.packages.test(specifier));
      return ok ? [] : [`${file} imports package "${specifier}"; ${layer}/ may import ${rule.packages ? `only packages matching ${rule.packages}` : "no packages"}`];
    }
    if (target !== "outside" && rule.layers.includes(target)) return [];
    return [`${file} imports "${specifier}" (${target}/); ${layer}/ may import only ${rule.layers.map((l) => `${l}/`).join(", ")}`];
  });
}

describe("layering", () => {
  it("finds the product code to check", () => {
    for (const layer of ["domain", "components", "infra", "policies", "tools", "dev"]) {
      expect(sourceFiles.filter((f) => f.startsWith(`${layer}/`)).length, layer).toBeGreaterThan(2);
    }
  });

  it.each(layers.filter((l) => l !== "test"))("%s/ imports only what its layer allows", (layer) => {
    const found = sourceFiles.filter((f) => f.startsWith(`${layer}/`)).flatMap((f) => violations(f, importsOf(f)));
    expect(found).toEqual([]);
  });

  describe.each([
    ["domain/runbook.ts", "@pulumi/pulumi", "domain/runbook.ts imports package \"@pulumi/pulumi\"; domain/ may import only packages matching /^node:/"],
    ["domain/alarmCatalog.ts", "../infra/config", "domain/alarmCatalog.ts imports \"../infra/config\" (infra/); domain/ may import only domain/"],
    ["components/failoverDns.ts", "../infra/config", "components/failoverDns.ts imports \"../infra/config\" (infra/); components/ may import only domain/, components/"],
    ["policies/settings.ts", "../infra/stack", "policies/settings.ts imports \"../infra/stack\" (infra/); policies/ may import only domain/, policies/"],
    ["policies/rpo.ts", "@pulumi/command", "policies/rpo.ts imports package \"@pulumi/command\"; policies/ may import only packages matching /^(node:|@pulumi\\/(policy|pulumi|aws)$)/"],
    ["infra/stack.ts", "../tools/offline", "infra/stack.ts imports \"../tools/offline\" (tools/); infra/ may import only domain/, components/, infra/"],
    ["tools/cli/plan.ts", "../../test/support/backups", "tools/cli/plan.ts imports \"../../test/support/backups\" (test/); tools/ may import only domain/, components/, infra/, policies/, tools/"],
    ["tools/drill/stackAccess.ts", "../../dev/postgres/cluster", "tools/drill/stackAccess.ts imports \"../../dev/postgres/cluster\" (dev/); tools/ may import only domain/, components/, infra/, policies/, tools/"],
    ["dev/bench/recovery.ts", "../../test/support/backups", "dev/bench/recovery.ts imports \"../../test/support/backups\" (test/); dev/ may import only domain/, components/, infra/, policies/, tools/, dev/"],
  ])("an import against the direction: %s -> %s", (file, specifier, message) => {
    it("is reported with the rule it breaks", () => {
      expect(violations(file, [specifier])).toEqual([message]);
    });
  });

  it("accepts imports along the direction", () => {
    expect(violations("infra/stack.ts", ["../domain/runbook", "../components/failoverDns", "./config", "@pulumi/aws"])).toEqual([]);
    expect(violations("domain/alarmCatalog.ts", ["./runbook", "node:path"])).toEqual([]);
  });
});
