/**
 * The replacement rules (domain/replacement.ts), one case per rule: the operation and the
 * properties `pulumi preview --diff` would show for a changed registration.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { changedKeys, decideOperation, providerConfigRules, regionOf, replaceRules, type ProviderView, type Registration } from "../domain/replacement";
import { statefulTypeEntries, statefulTypes } from "../domain/stateful";
import { statefulTypes as protectedTypes } from "../policies/protection";

const aws = (region: string, name = `aws-${region}`): ProviderView => ({ urn: `urn:pulumi:prod::p::pulumi:providers:aws::${name}`, type: "pulumi:providers:aws", inputs: { region } });
const east = aws("us-east-1");
const west = aws("us-west-2");
const commandProvider: ProviderView = { urn: "urn:pulumi:prod::p::pulumi:providers:command::command", type: "pulumi:providers:command", inputs: {} };
const at = (type: string, inputs: Record<string, unknown>, provider: ProviderView | null = east): Registration => ({ type, inputs, provider });

const remote = { create: "sudo configure.sh", connection: "[secret]", triggers: ["h1"] };
const record = { zoneId: "Z1", name: "api.example.test", type: "A", setIdentifier: "us-east-1", failoverRoutingPolicies: [{ type: "PRIMARY" }], healthCheckId: "hc-1" };
const check = { type: "HTTPS", fqdn: "api.example.test", requestInterval: 10, failureThreshold: 3 };

describe("decideOperation", () => {
  it.each([
    ["a command whose triggers change", at("command:remote:Command", remote, commandProvider), { ...remote, triggers: ["h2"] }, "replace", ["triggers"], ["triggers"]],
    ["a command whose create changes (re-runs create in place)", at("command:remote:Command", remote, commandProvider), { ...remote, create: "sudo other.sh" }, "update", ["create"], []],
    ["a command whose connection changes", at("command:remote:Command", remote, commandProvider), { ...remote, connection: { host: "db2" } }, "update", ["connection"], []],
    ["a local command whose environment and triggers change", at("command:local:Command", { create: "node ./components/patroniFlip/run.ts", environment: { FLIP_CANDIDATE: "us-east-1" }, triggers: ["primary"] }, commandProvider), { create: "node ./components/patroniFlip/run.ts", environment: { FLIP_CANDIDATE: "us-west-2" }, triggers: ["secondary"] }, "replace", ["environment", "triggers"], ["triggers"]],
    ["a record whose failover type changes (an UPSERT)", at("aws:route53/record:Record", record), { ...record, failoverRoutingPolicies: [{ type: "SECONDARY" }] }, "update", ["failoverRoutingPolicies"], []],
    ["a record whose set identifier changes (one DELETE+CREATE batch)", at("aws:route53/record:Record", record), { ...record, setIdentifier: "east" }, "update", ["setIdentifier"], []],
    ["a record whose name changes", at("aws:route53/record:Record", record), { ...record, name: "api2.example.test" }, "replace", ["name"], ["name"]],
    ["a health check made disabled and inverted", at("aws:route53/healthCheck:HealthCheck", check), { ...check, disabled: true, invertHealthcheck: true }, "update", ["disabled", "invertHealthcheck"], []],
    ["a health check whose request interval changes", at("aws:route53/healthCheck:HealthCheck", check), { ...check, requestInterval: 30 }, "replace", ["requestInterval"], ["requestInterval"]],
    ["a health check whose type changes", at("aws:route53/healthCheck:HealthCheck", check), { ...check, type: "CALCULATED" }, "replace", ["type"], ["type"]],
    ["a composite alarm whose rule changes", at("aws:cloudwatch/compositeAlarm:CompositeAlarm", { alarmName: "rollback", alarmRule: "ALARM(a)" }), { alarmName: "rollback", alarmRule: "ALARM(b)" }, "update", ["alarmRule"], []],
    ["a composite alarm switched off", at("aws:cloudwatch/compositeAlarm:CompositeAlarm", { alarmName: "rollback", actionsEnabled: true }), { alarmName: "rollback", actionsEnabled: false }, "replace", ["actionsEnabled"], ["actionsEnabled"]],
    ["a metric alarm paging another topic", at("aws:cloudwatch/metricAlarm:MetricAlarm", { name: "lag", alarmActions: ["p0"] }), { name: "lag", alarmActions: ["p1"] }, "update", ["alarmActions"], []],
    ["a parameter's value", at("aws:ssm/parameter:Parameter", { name: "/x", type: "String", insecureValue: "us-east-1" }), { name: "/x", type: "String", insecureValue: "us-west-2" }, "update", ["insecureValue"], []],
    ["a parameter's name", at("aws:ssm/parameter:Parameter", { name: "/x", insecureValue: "a" }), { name: "/y", insecureValue: "a" }, "replace", ["name"], ["name"]],
    ["a bucket's name", at("aws:s3/bucket:Bucket", { bucket: "wal-a" }), { bucket: "wal-b" }, "replace", ["bucket"], ["bucket"]],
    ["a KMS key's description", at("aws:kms/key:Key", { description: "a" }), { description: "b" }, "update", ["description"], []],
    ["a KMS key's usage", at("aws:kms/key:Key", { keyUsage: "ENCRYPT_DECRYPT" }), { keyUsage: "SIGN_VERIFY" }, "replace", ["keyUsage"], ["keyUsage"]],
    ["a secret's name", at("aws:secretsmanager/secret:Secret", { name: "a" }), { name: "b" }, "replace", ["name"], ["name"]],
    ["a random password's length", at("random:index/randomPassword:RandomPassword", { length: 32 }, null), { length: 40 }, "replace", ["length"], ["length"]],
    ["a PostgreSQL role's password", at("postgresql:index/role:Role", { name: "archiver", password: "[secret]", login: true }, null), { name: "archiver", password: "[secret]", login: false }, "update", ["login"], []],
  ] as const)("%s: %s", (_what, before, afterInputs, op, diffReasons, replaceReasons) => {
    const decision = decideOperation(before, { ...before, inputs: afterInputs });
    expect([decision.op, decision.diffReasons, decision.replaceReasons]).toEqual([op, diffReasons, replaceReasons]);
    expect(decision.sources).toHaveLength(replaceReasons.length > 0 ? 1 : 0);
  });

  it("replaces a regional resource that moves to a provider of another region (the rollback composite today)", () => {
    const decision = decideOperation(at("aws:cloudwatch/compositeAlarm:CompositeAlarm", { alarmName: "rollback" }, east), at("aws:cloudwatch/compositeAlarm:CompositeAlarm", { alarmName: "rollback" }, west));
    expect(decision).toMatchObject({ op: "replace", diffReasons: ["region", "provider"], replaceReasons: ["region"] });
    expect(decision.sources[0]).toContain("enhanced-region-support");
  });

  it("only updates a global resource (Route 53, IAM) that moves between providers", () => {
    expect(decideOperation(at("aws:route53/record:Record", record, east), at("aws:route53/record:Record", record, west))).toMatchObject({ op: "update", diffReasons: ["provider"], replaceReasons: [] });
    expect(regionOf(at("aws:iam/role:Role", {}, west))).toBeNull();
  });

  it("updates an AWS provider whose region changes (pulumi-aws 7 has no ForcesProviderReplace on region)", () => {
    expect(decideOperation(at("pulumi:providers:aws", { region: "us-east-1" }, null), at("pulumi:providers:aws", { region: "us-west-2" }, null))).toMatchObject({ op: "update", replaceReasons: [] });
  });

  it("replaces the command provider on any config change, and a command whose provider is replaced", () => {
    expect(decideOperation(at("pulumi:providers:command", {}, null), at("pulumi:providers:command", { version: "2" }, null)).op).toBe("replace");
    const command = at("command:remote:Command", remote, commandProvider);
    expect(decideOperation(command, command, true)).toMatchObject({ op: "replace", replaceReasons: ["provider"] });
  });

  it("reports nothing for the same registration, and refuses a type change (a new URN)", () => {
    const same = at("aws:route53/record:Record", record);
    expect(decideOperation(same, same)).toEqual({ op: "same", diffReasons: [], replaceReasons: [], sources: [] });
    expect(() => decideOperation(same, at("aws:ssm/parameter:Parameter", {}))).toThrow("type changed from aws:route53/record:Record to aws:ssm/parameter:Parameter");
  });

  it("compares values, not key order, and ignores engine bookkeeping keys", () => {
    expect(changedKeys({ a: [1, 2], b: { c: 1 }, __defaults: ["a"] }, { b: { c: 1 }, a: [1, 2] })).toEqual([]);
    expect(changedKeys({ a: 1 }, { a: 1, b: 2 })).toEqual(["b"]);
  });
});

describe("the rule tables", () => {
  it("name a source for every rule", () => {
    for (const [type, rule] of Object.entries({ ...replaceRules, ...providerConfigRules })) expect([type, rule.source.length > 20]).toEqual([type, true]);
  });

  it("the protection policy requires exactly the stateful types the preview and the workflow guard count", () => {
    expect(protectedTypes).toBe(statefulTypes);
    expect(statefulTypes).toEqual([
      "aws:s3/bucket:Bucket",
      "aws:kms/key:Key",
      "aws:secretsmanager/secret:Secret",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:route53/healthCheck:HealthCheck",
      "aws:route53/record:Record",
      "aws:sns/topic:Topic",
      "aws:backup/vault:Vault",
    ]);
    for (const entry of statefulTypeEntries) expect(replaceRules[entry.type]).toBeDefined();
  });

  it("cover every option the program sets that changes an operation: none sets ignoreChanges or replaceOnChanges (the offline plan does not record them)", () => {
    const root = join(__dirname, "..");
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "components/*.ts", "components/**/*.ts", "infra/*.ts", "infra/**/*.ts"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
    expect(files.length).toBeGreaterThan(10);
    const uses = files.filter((f) => /\b(ignoreChanges|replaceOnChanges)\s*:/.test(readFileSync(join(root, f), "utf8")));
    expect(uses).toEqual([]);
  });
});
