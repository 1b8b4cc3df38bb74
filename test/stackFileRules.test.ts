import { describe, expect, it } from "vitest";
import { isPlainCount, secretLookingReason } from "../domain/secretSettings";
import { settingPath, sharedIdentityProblems, stackFileKeyProblems, wholeMapProblem } from "../domain/stackFileRules";

const project = "crazy-gary-dr";
const known = ["retention", "regions", "dnsZone", "app"];

describe("stack-file keys the program would never read", () => {
  it.each([
    [{ "retention": { walHours: 72 } }, "Pulumi.s.yaml: retention: has no project prefix, so the program never reads it; write it as crazy-gary-dr:retention"],
    [{ "retension": 1 }, "Pulumi.s.yaml: retension: has no project prefix, so the program never reads it; did you mean retention? write it as crazy-gary-dr:retension (with the right name)"],
    [{ "crazy-gary:retention": {} }, "Pulumi.s.yaml: crazy-gary:retention: namespace crazy-gary is not the project's; write it as crazy-gary-dr:retention"],
    [{ "crazy-gary-dr:retention.walHours": 72 }, "Pulumi.s.yaml: crazy-gary-dr:retention.walHours: a dotted key is one literal name (set without --path), not retention's walHours; run pulumi config rm 'retention.walHours' and pulumi config set --path 'retention.walHours' <value>"],
  ])("%j", (config, message) => {
    expect(stackFileKeyProblems({ stack: "s", config }, project, known)).toEqual([expect.stringContaining(message)]);
  });

  it("accepts project keys and other namespaces (aws:region, pulumi:disable-default-providers)", () => {
    expect(stackFileKeyProblems({ stack: "s", config: { "crazy-gary-dr:retention": {}, "aws:region": "us-east-1", "pulumi:tags": {} } }, project, known)).toEqual([]);
  });
});

describe("--set paths and whole maps", () => {
  it.each([
    ["retention.walHours", ["retention", "walHours"]],
    ['sync.overrides["retention.walHours"].value', ["sync", "overrides", "retention.walHours", "value"]],
    ["alerts.P0", ["alerts", "P0"]],
  ])("%s -> %j", (text, parts) => expect(settingPath(text)).toEqual(parts));

  it("refuses a map that keeps only some keys, with the one-key syntax", () => {
    expect(wholeMapProblem("app", { LOG_LEVEL: "info", RATE: 1, REDIS: true }, { LOG_LEVEL: "debug" })).toBe(
      "--set app={...}: replaces the whole map and would drop 2 key(s) (RATE, REDIS); set one key at a time: --set app.LOG_LEVEL=debug",
    );
  });

  it.each([
    ["a new shape (hostname for a load balancer)", { loadBalancer: { dnsName: "x" } }, { hostname: "y" }],
    ["a map that keeps every key", { a: 1, b: 2 }, { a: 3, b: 2 }],
    ["a scalar", "info", "debug"],
    ["a list", [1, 2], [1]],
  ])("accepts %s", (_case, existing, value) => expect(wholeMapProblem("k", existing, value)).toBeUndefined());
});

describe("a stack that reuses another stack's zone, endpoints or hosts", () => {
  const prod = { stack: "prod", config: { "crazy-gary-dr:dnsZone": { name: "crazy-gary.app" }, "crazy-gary-dr:databases": { primary: { pgHost: "db-use1.ops.crazy-gary.app", database: "crazy_gary" } } } };

  it("names both stacks and the shared values", () => {
    const copy = { stack: "staging", config: prod.config };
    expect(sharedIdentityProblems(copy, [prod], project)).toEqual([
      'Pulumi.staging.yaml: stacks staging and prod share dnsZone.name "crazy-gary.app", databases.primary.pgHost "db-use1.ops.crazy-gary.app"; every stack needs its own DNS zone, endpoints and database hosts (planning staging would change prod\'s): edit the copy, Pulumi.staging.yaml or Pulumi.prod.yaml',
    ]);
  });

  it("accepts its own values and a shared database name", () => {
    const own = { stack: "dr", config: { "crazy-gary-dr:dnsZone": { name: "dr.crazy-gary.app" }, "crazy-gary-dr:databases": { primary: { pgHost: "db-use2.dr.ops.crazy-gary.app", database: "crazy_gary" } } } };
    expect(sharedIdentityProblems(own, [prod], project)).toEqual([]);
  });
});

describe("secret-looking settings: the value decides, and the rule is named", () => {
  it.each([
    ["app.FEATURE_TOKEN_LIMIT", 500, undefined],
    ["app.FEATURE_TOKEN_LIMIT", "500", undefined],
    ["app.SECRET_ROTATION_ENABLED", true, undefined],
    ["app.STRIPE_API_KEY", "abc", "its name contains KEY and its value is text, not a number or true/false"],
    ["app.WELCOME", "sk_live_abcdef12", "its value looks like an API token"],
    ["app.DATABASE_URL", "postgres://app:hunter2@db/x", "its value looks like a URL with a password"],
    ["appSecrets", ["OPENAI_API_KEY"], undefined],
  ])("%s=%j -> %s", (key, value, reason) => expect(secretLookingReason(key, value)).toBe(reason));

  it.each([[500, true], ["500", true], ["false", true], ["5a", false], [null, false]])("isPlainCount(%j) = %s", (v, plain) => expect(isPlainCount(v)).toBe(plain));
});
