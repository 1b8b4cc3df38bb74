/**
 * Two plans compared (domain/planDiff.ts): resources matched by URN; creates, deletes, updates
 * and replacements counted the way the closing line of `npm run plan -- --diff` shows them.
 */
import { describe, expect, it } from "vitest";
import { detailedExitCode, diffPlans, summaryLine, type DiffableResource } from "../domain/planDiff";

const stack = "urn:pulumi:prod::crazy-gary-dr::";
const awsEast = { urn: `${stack}pulumi:providers:aws::aws-primary`, type: "pulumi:providers:aws", name: "aws-primary", custom: true, provider: null, inputs: { region: "us-east-1" }, options: { dependsOn: [] } };
const awsWest = { ...awsEast, urn: `${stack}pulumi:providers:aws::aws-secondary`, name: "aws-secondary", inputs: { region: "us-west-2" } };
const command = { urn: `${stack}pulumi:providers:command::command`, type: "pulumi:providers:command", name: "command", custom: true, provider: null, inputs: {}, options: { dependsOn: [] } };

function resource(type: string, name: string, inputs: Record<string, unknown>, provider: DiffableResource | null = awsEast): DiffableResource {
  return { urn: `${stack}${type}::${name}`, type, name, custom: true, provider: provider ? `${provider.urn}::id-${provider.name}` : null, inputs, options: { dependsOn: [] } };
}
const bucket = resource("aws:s3/bucket:Bucket", "wal-primary-bucket", { bucket: "wal-a", forceDestroy: false });
const parameter = resource("aws:ssm/parameter:Parameter", "active-region-primary", { name: "/x", type: "String", insecureValue: "us-east-1" });
const flip = resource("command:local:Command", "patroni-flip-command", { create: "node ./components/patroniFlip/run.ts", triggers: ["primary", "us-east-1"] }, command);
const component = { ...resource("crazygary:dr:PatroniFlip", "patroni-flip", {}, null), custom: false };
const base = [awsEast, awsWest, command, component, bucket, parameter, flip];

const replaceIn = (plan: DiffableResource[], next: DiffableResource) => plan.map((r) => (r.urn === next.urn ? next : r));

describe("diffPlans", () => {
  it.each([
    ["nothing changed", base, "0 to update, 0 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 0", []],
    ["a parameter's value", replaceIn(base, { ...parameter, inputs: { ...parameter.inputs, insecureValue: "us-west-2" } }), "1 to update, 0 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 0", [["update", "active-region-primary", ["insecureValue"], false]]],
    ["a command's triggers", replaceIn(base, { ...flip, inputs: { ...flip.inputs, triggers: ["secondary", "us-west-2"] } }), "0 to update, 1 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 0", [["replace", "patroni-flip-command", ["triggers"], false]]],
    ["a bucket's name", replaceIn(base, { ...bucket, inputs: { ...bucket.inputs, bucket: "wal-b" } }), "0 to update, 1 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 1", [["replace", "wal-primary-bucket", ["bucket"], true]]],
    ["a bucket moved to the other region", replaceIn(base, { ...bucket, provider: `${awsWest.urn}::id-aws-secondary` }), "0 to update, 1 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 1", [["replace", "wal-primary-bucket", ["region"], true]]],
    ["a deleted bucket and a new parameter", [...base.filter((r) => r !== bucket), resource("aws:ssm/parameter:Parameter", "new", { name: "/n" })], "0 to update, 0 to replace, 1 to create, 1 to delete; stateful replaced or deleted: 1", [["create", "new", [], false], ["delete", "wal-primary-bucket", [], true]]],
    ["the command provider's config", replaceIn(base, { ...command, inputs: { version: "1.3.0" } }), "0 to update, 2 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 0", [["replace", "command", ["version"], false], ["replace", "patroni-flip-command", ["provider"], false]]],
  ] as const)("%s", (_what, after, line, operations) => {
    const diff = diffPlans(base, after as DiffableResource[]);
    expect(summaryLine(diff.summary)).toBe(line);
    expect(diff.operations.map((o) => [o.op, o.name, o.properties, o.stateful])).toEqual(operations);
    expect(diff.typesWithoutRule).toEqual([]);
  });

  it("never reports a component (the engine creates nothing for it)", () => {
    expect(diffPlans(base, base.filter((r) => r !== component)).operations).toEqual([]);
  });

  it("names changed types it has no rule for, and shows them as updates", () => {
    const widget = resource("acme:index:Widget", "w", { size: 1 }, null);
    const diff = diffPlans([...base, widget], [...base, { ...widget, inputs: { size: 2 } }]);
    expect(diff.typesWithoutRule).toEqual(["acme:index:Widget"]);
    expect(diff.operations.map((o) => [o.op, o.name])).toEqual([["update", "w"]]);
  });

  it("lists operations in the order `pulumi up` runs them: each after what it depends on, deletions last with dependents first", () => {
    // URN order would put the alarm (aws:cloudwatch) before the parameter (aws:ssm) it reads.
    const alarm = { ...resource("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", { threshold: 1 }), propertyDependencies: { alarmDescription: [parameter.urn] } };
    const topic = resource("aws:sns/topic:Topic", "topic", { name: "t" });
    const subscriber = { ...resource("aws:sns/topicSubscription:TopicSubscription", "sub", { topic: "t" }), options: { dependsOn: [topic.urn] } };
    const before = [...base, alarm, topic, subscriber];
    const after = [
      ...replaceIn(replaceIn(base, { ...parameter, inputs: { ...parameter.inputs, insecureValue: "us-west-2" } }), { ...bucket, inputs: { ...bucket.inputs, bucket: "wal-b" } }),
      { ...alarm, inputs: { threshold: 2 } },
    ];
    const diff = diffPlans(before, after);
    expect(diff.operations.map((o) => [o.op, o.name])).toEqual([
      ["replace", "wal-primary-bucket"],
      ["update", "active-region-primary"],
      ["update", "alarm"],
      ["delete", "sub"],
      ["delete", "topic"],
    ]);
  });

  it("counts a changed secret as a change, from the fingerprints of the two plans (its value shows as [secret] on both sides)", () => {
    const provider = { ...resource("pulumi:providers:postgresql", "postgres-writable", { host: "db", password: "[secret]" }, null), secretDigests: { password: "a" } };
    const diff = diffPlans([...base, provider], [...base, { ...provider, secretDigests: { password: "b" } }]);
    expect(diff.operations.map((o) => [o.op, o.name, o.changed])).toEqual([["update", "postgres-writable", ["password"]]]);
    expect(diffPlans([...base, provider], [...base, { ...provider }]).operations).toEqual([]);
  });
});

describe("detailedExitCode (Terraform's -detailed-exitcode, plus 3)", () => {
  const none = { update: 0, replace: 0, create: 0, delete: 0, statefulReplacedOrDeleted: 0 };
  it.each([
    ["no changes", none, 0],
    ["an update", { ...none, update: 1 }, 2],
    ["a deletion of nothing stateful", { ...none, delete: 1 }, 2],
    ["a stateful replacement", { ...none, replace: 1, statefulReplacedOrDeleted: 1 }, 3],
  ] as const)("%s: %i", (_what, summary, code) => {
    expect(detailedExitCode(summary)).toBe(code);
  });
});
