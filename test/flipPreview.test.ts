/**
 * The real flip, prod and dr, both directions, through the preview the on-call engineer reads
 * (`npm run plan -- --diff`): the engine's verdict per resource from the shared replacement
 * rules, and every state Route 53 passes through.
 */
import { describe, expect, it } from "vitest";
import { diffPlans, type PlanDiff } from "../domain/planDiff";
import { hasReplaceRule } from "../domain/replacement";
import { dnsChangesOf } from "../domain/route53Plan";
import { walkDnsChanges } from "../domain/route53Walk";
import { sharedPlan } from "./support/plans";

const planOf = (stack: string, activeRegion: "primary" | "secondary") => sharedPlan(stack, [`activeRegion=${activeRegion}`]);

const commandReplacements = [
  ["command:remote:Command", "database-host-primary-configure", ["triggers"]],
  ["command:remote:Command", "database-host-primary-files", ["triggers"]],
  ["command:remote:Command", "database-host-secondary-configure", ["triggers"]],
  ["command:remote:Command", "database-host-secondary-files", ["triggers"]],
  ["command:local:Command", "patroni-flip-command", ["triggers"]],
];

const replacements = (diff: PlanDiff) =>
  diff.operations
    .filter((o) => o.op === "replace")
    .map((o) => [o.type, o.name, o.properties])
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])));

describe.each([
  ["prod", "primary", "secondary"],
  ["prod", "secondary", "primary"],
  ["dr", "primary", "secondary"],
  ["dr", "secondary", "primary"],
] as const)("%s: activeRegion %s -> %s", (stack, from, to) => {
  const flip = async () => {
    const [before, after] = [await planOf(stack, from), await planOf(stack, to)];
    return { before, after, diff: diffPlans(before.resources, after.resources) };
  };

  it("replaces or deletes no stateful resource, creates and deletes nothing, and has a rule for every type it declares", async () => {
    const { before, diff } = await flip();
    expect(diff.summary).toMatchObject({ create: 0, delete: 0, statefulReplacedOrDeleted: 0 });
    expect(diff.typesWithoutRule).toEqual([]);
    const custom = [...new Set(before.resources.filter((r) => r.custom).map((r) => r.type))];
    expect(custom.filter((type) => !hasReplaceRule(type))).toEqual([]);
  });

  it("replaces only the five re-run commands (their triggers): every alarm stays in its region", async () => {
    const { diff } = await flip();
    expect(replacements(diff)).toEqual(commandReplacements);
  });

  it("changes no Route53 resource: DNS follows the database leader by health checks, with no control-plane call", async () => {
    const { diff } = await flip();
    expect(diff.operations.filter((o) => o.type.startsWith("aws:route53/")).map((o) => [o.op, o.name])).toEqual([]);
  });

  it("changes no provider of anything but the PostgreSQL provider's host and password (it follows the writable database and its admin secret)", async () => {
    const { diff } = await flip();
    const providerUpdates = diff.operations.filter((o) => o.type.startsWith("pulumi:providers:"));
    expect(providerUpdates.map((o) => [o.op, o.name, o.properties])).toEqual([["update", "postgres-writable", ["host", "password"]]]);
  });

  it("walks Route 53 through the flip: no change, so no state it refuses", async () => {
    const { before, after, diff } = await flip();
    const { initial, changes } = dnsChangesOf(before.resources, after.resources, diff);
    const walk = walkDnsChanges(initial, changes);
    expect(changes).toEqual([]);
    expect(walk.violations).toEqual([]);
    expect(walk.statesChecked).toBe(1);
  });
});
