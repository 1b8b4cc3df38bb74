/**
 * The text plan fits a terminal (tools/cli/planTable.ts): a script as its line count and hash,
 * long rows cut with a marker, a closing summary by type, and `--filter` by type or name.
 */
import { describe, expect, it } from "vitest";
import { filterResources, renderPlanTable, scriptDigest, summaryByType } from "../tools/cli/planTable";
import { sharedPlan } from "./support/plans";

describe("the text plan of prod", async () => {
  const plan = await sharedPlan("prod");
  const table = renderPlanTable(plan, undefined, undefined, 200);
  const lines = table.split("\n");
  const custom = plan.resources.filter((r) => r.custom);

  it.each([100, 120, 200])("never prints a line wider than the terminal (%i columns), cutting long rows with a marker", (columns) => {
    const fitted = renderPlanTable(plan, undefined, undefined, columns).split("\n");
    expect(Math.max(...fitted.map((l) => [...l].length))).toBeLessThanOrEqual(columns);
    expect(fitted.some((l) => [...l].length === columns && l.endsWith("…"))).toBe(true);
    expect(fitted.filter((l) => l.includes("[protected]")).every((l) => l.endsWith("  [protected]"))).toBe(true);
  });

  it("sizes the type and name columns to their content, and shows each output on one line (compact JSON or its size and hash)", () => {
    const row = lines.find((l) => l.includes(" active-region-primary "))!;
    const longestName = Math.max(...custom.map((r) => r.name.length));
    expect(row).toMatch(new RegExp(`^  aws:ssm:Parameter +active-region-primary {${Math.min(36, longestName) - "active-region-primary".length + 2}}name=`));
    const outputs = lines.slice(lines.indexOf("Outputs:") + 1, lines.indexOf("", lines.indexOf("Outputs:")));
    expect(outputs).toHaveLength(Object.keys(plan.outputs).length);
    expect(outputs).toContain('  activeRegion: "us-east-1"');
    expect(outputs.find((l) => l.startsWith("  environmentParameters: "))).toMatch(/^ {2}environmentParameters: \{…\} \d+ keys, sha256 [0-9a-f]{12} \(--format json has it\)$/);
  });

  it("shows a host's install script as its line count and hash, the full text being in --format json", () => {
    const files = custom.find((r) => r.name === "database-host-primary-files")!;
    const script = files.inputs.stdin as string;
    expect(script.split("\n").length).toBeGreaterThan(100);
    const row = lines.find((l) => l.includes(" database-host-primary-files "))!;
    expect(row).toContain(`stdin=${scriptDigest(script).slice(0, 40)}`);
    expect(table).not.toContain(script.split("\n")[3]);
  });

  it("ends with the summary by type, most frequent first, counting every resource", () => {
    const summary = table.slice(table.lastIndexOf(`\n${custom.length} resources: `) + 1);
    expect(summary.startsWith(`${custom.length} resources: ${custom.filter((r) => r.type === "aws:ssm/parameter:Parameter").length} Parameter, `)).toBe(true);
    const counted = [...summary.matchAll(/(\d+) [A-Za-z]+( provider)?/g)].slice(1).reduce((n, m) => n + Number(m[1]), 0);
    expect(counted).toBe(custom.length);
    expect(summary.split("\n").every((l) => l.length <= 100)).toBe(true);
  });

  it("--filter keeps the resources whose type or name contains the text, any case, and says how many of all", () => {
    const filtered = renderPlanTable(plan, "ROUTE53/healthcheck");
    const rows = filtered.split("\n").filter((l) => l.startsWith("  aws:"));
    expect(rows.length).toBe(custom.filter((r) => r.type === "aws:route53/healthCheck:HealthCheck").length);
    expect(filtered.split("\n")[0]).toBe(`Plan of stack prod: ${rows.length} of ${custom.length} resources whose type or name contains "ROUTE53/healthcheck"`);
    expect(filtered).not.toContain("Outputs:");
    expect(filtered.trimEnd().split("\n").at(-1)).toBe(`${rows.length} resources: ${rows.length} HealthCheck`);
    expect(filterResources(custom, "alarms-api-health").map((r) => r.name).every((n) => n.includes("alarms-api-health"))).toBe(true);
  });

  it("--filter that matches nothing is a usage error suggesting the nearest type, service or name", () => {
    expect(() => filterResources(custom, "route35")).toThrow('--filter "route35": matches no resource type or name; did you mean route53?');
    expect(() => filterResources(custom, "MetricAlram")).toThrow("did you mean MetricAlarm?");
  });
});

describe("summaryByType and scriptDigest", () => {
  it("counts classes, names providers, and wraps at 100 characters", () => {
    expect(summaryByType([{ type: "aws:sns/topic:Topic" }, { type: "aws:sns/topic:Topic" }, { type: "pulumi:providers:aws" }])).toBe("3 resources: 2 Topic, 1 aws provider");
  });

  it("gives the line count and the first 12 hex of the SHA-256", () => {
    expect(scriptDigest("#!/bin/bash\necho hi\n")).toBe("[2 lines, sha256 e8fc5c680bb3; full text in --format json]");
  });
});
