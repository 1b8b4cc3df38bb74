/**
 * Every config problem reads as a sentence naming the key, the value, what is allowed and an
 * example, with none of zod's own wording. The walk below visits every key of the stack config
 * schema (every object, map, list element and union option) and breaks each constraint it finds
 * (the type, an enum or literal, a bound, a format, an unknown key); the rules a schema only
 * states in code (refinements) are broken by the table of cases below, and the walk checks that
 * the table covers every key that has one.
 */
import { describe, expect, it } from "vitest";
import { stackConfigSchema } from "../infra/config";
import { exampleValue, schemaAtKey } from "../infra/configMessages";
import { parseStackConfig, StackConfigError, type ConfigSource } from "../infra/parseConfig";
import { loadStackConfig } from "../tools/offline/stackFiles";

interface Def {
  type: string;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  options?: Schema[];
  element?: Schema;
  keyType?: Schema;
  valueType?: Schema;
  in?: Schema;
  out?: Schema;
  checks?: { _zod: { def: { check: string; format?: string; minimum?: number; value?: number; inclusive?: boolean } } }[];
}
interface Schema {
  def: Def;
}
type Path = (string | number)[];

/** One broken value: where, what, and which constraint it breaks. */
interface Case {
  path: Path;
  /** The valid values the broken one is set into. */
  values: Record<string, unknown>;
  bad: unknown;
  kind: string;
}

const prod = loadStackConfig("prod");
const clone = <T>(value: T): T => structuredClone(value);

function peel(schema: Schema): Schema {
  let node = schema;
  for (;;) {
    const def = node.def;
    if (def.type === "default" || def.type === "optional" || def.type === "nullable") node = def.innerType!;
    else if (def.type === "pipe") node = def.in!.def.type === "transform" ? def.out! : def.in!;
    else return node;
  }
}

/** Every wrapper's checks on the way to the leaf (a refine may sit on a default's inner schema). */
function allChecks(schema: Schema): { check: string; format?: string; minimum?: number; value?: number; inclusive?: boolean }[] {
  const found = [];
  let node: Schema | undefined = schema;
  while (node) {
    found.push(...(node.def.checks ?? []).map((c) => c._zod.def));
    node = node.def.innerType ?? (node.def.type === "pipe" ? (node.def.in!.def.type === "transform" ? node.def.out : node.def.in) : undefined);
  }
  return found;
}

function setAt(values: Record<string, unknown>, path: Path, value: unknown): Record<string, unknown> {
  const copy = clone(values);
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[path[path.length - 1]] = value;
  return copy;
}

const valueAt = (values: unknown, path: Path): unknown => path.reduce<unknown>((n, k) => (n !== null && typeof n === "object" ? (n as Record<string | number, unknown>)[k] : undefined), values);

/** The keys whose schema has a refinement (a rule in code), for the coverage check. */
const refined = new Set<string>();

/** Walks `schema` at `path` (valid values in `values`), returning a case for every constraint it can break. */
function walk(schema: Schema, path: Path, values: Record<string, unknown>): Case[] {
  const leaf = peel(schema);
  const def = leaf.def;
  const checks = allChecks(schema);
  if (checks.some((c) => c.check === "custom")) refined.add(path.join("."));
  const here = (bad: unknown, kind: string): Case => ({ path, values, bad, kind });
  // A key the walk enters must hold a valid value first (a list element, a union option, a map entry).
  const ensure = (at: Path, sub: Schema): Record<string, unknown> =>
    valueAt(values, at) === undefined ? setAt(values, at, exampleValue(schemaAtKey(stackConfigSchema, at, values) ?? { schema: peel(sub) as never })) : values;
  const cases: Case[] = [];
  switch (def.type) {
    case "object": {
      if (path.length > 0) cases.push(here(5, "type: a number for a map"));
      const withObject = path.length > 0 && valueAt(values, path) === undefined ? setAt(values, path, exampleValue(schemaAtKey(stackConfigSchema, path, values)!)) : values;
      cases.push({ path: [...path, "bogusKey"], values: withObject, bad: 1, kind: "strict: an unknown key" });
      for (const [key, child] of Object.entries(def.shape!)) cases.push(...walk(child, [...path, key], withObject));
      return cases;
    }
    case "record": {
      cases.push(here("not-a-map", "type: text for a map"));
      const key = path[path.length - 1] === "app" ? "LOG_LEVEL" : "app.LOG_LEVEL";
      if (allChecks(def.keyType!).some((c) => c.format === "regex")) cases.push({ path: [...path, "lower_case"], values, bad: "x", kind: "regex: a map key" });
      const withEntry = ensure([...path, key], def.valueType!);
      return [...cases, ...walk(def.valueType!, [...path, key], withEntry)];
    }
    case "array": {
      cases.push(here("not-a-list", "type: text for a list"));
      const min = checks.find((c) => c.check === "min_length")?.minimum;
      if (min) cases.push(here([], `min: fewer than ${min} items`));
      const element = peel(def.element!);
      const options = element.def.type === "union" ? element.def.options! : [def.element!];
      for (const option of options) {
        const withElement = setAt(values, path, [exampleValue({ schema: peel(option) as never })]);
        cases.push(...walk(option, [...path, 0], withElement));
      }
      return cases;
    }
    case "union": {
      cases.push(here([7.5], "union: matches no option"));
      for (const option of def.options!) {
        const inner = peel(option);
        if (inner.def.type !== "object") continue;
        const withOption = setAt(values, path, exampleValue({ schema: inner as never }));
        cases.push(...walk(option, path, withOption).filter((c) => c.kind !== "type: a number for a map"));
      }
      return cases;
    }
    case "number": {
      cases.push(here("abc", "type: text for a number"));
      if (checks.some((c) => c.check === "number_format")) cases.push(here(2.5, "int: a fraction"));
      const low = checks.find((c) => c.check === "greater_than");
      const high = checks.find((c) => c.check === "less_than");
      if (low) cases.push(here(low.inclusive ? low.value! - 1 : low.value!, "min: below the bound"));
      if (high) cases.push(here(high.inclusive ? high.value! + 1 : high.value!, "max: above the bound"));
      return cases;
    }
    case "string": {
      cases.push(here(5, "type: a number for text"));
      const min = checks.find((c) => c.check === "min_length")?.minimum;
      if (min) cases.push(here("x".repeat(min - 1), `min: shorter than ${min}`));
      for (const format of checks.map((c) => c.format).filter(Boolean)) cases.push(here("!! not it !!", `format: ${format}`));
      return cases;
    }
    case "boolean":
      return [here("yes", "type: text for true/false")];
    case "enum":
    case "literal":
      return [here("bogus", `${def.type}: a value not listed`)];
    default:
      return [];
  }
}

const cases = walk(stackConfigSchema as unknown as Schema, [], prod.values);

function problemsOf(values: Record<string, unknown>, overridden: string[]): string[] {
  const source: ConfigSource = { values, isSecret: prod.isSecret, overridden };
  try {
    parseStackConfig(source);
  } catch (err) {
    if (err instanceof StackConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

/** zod's own wording, which must never reach a user. */
const zodWording = /Too (big|small)|Invalid (input|string|option|element|key|value)|expected (int|number|string|object|array|boolean)|Unrecognized key|received \w+|is not a (int|object|array|string)\b|must match pattern/;

/** What makes a problem a sentence: the key first, then the value, a second clause saying what is allowed, and an example. */
function sentenceFaults(problem: string, key: string): string[] {
  const faults: string[] = [];
  if (!problem.startsWith(`crazy-gary-dr:${key}: `)) faults.push(`does not start with the key crazy-gary-dr:${key}`);
  if (zodWording.test(problem)) faults.push(`carries zod's wording (${problem.match(zodWording)![0]})`);
  const rest = problem.slice(`crazy-gary-dr:${key}: `.length);
  if (!/^("|\[secret\]|-?\d|true|false|null|\[|\{|missing|the default|is not a known key \(given )/.test(rest)) faults.push("does not name the value after the key");
  if (!/; /.test(rest)) faults.push("has no clause saying what is allowed");
  if (!/\be\.g\. |such as |did you mean /.test(rest)) faults.push("gives no example");
  return faults;
}

describe("the schema walk", () => {
  it("reaches every kind of constraint in the stack config schema", () => {
    const kinds = new Set(cases.map((c) => c.kind.split(":")[0]));
    expect([...kinds].sort()).toEqual(["enum", "format", "int", "literal", "max", "min", "regex", "strict", "type", "union"].sort());
    // A few keys it must reach: nested, shared by both regions, in a list's union option, in a map.
    const paths = new Set(cases.map((c) => c.path.join(".")));
    for (const key of ["regions.witness", "databases.primary.restApiIngress.prefixListId", "alerts.P0.0.integrationKey", "alerts.P3.0.channelId", "sync.overrides.app.LOG_LEVEL.reason", "app.LOG_LEVEL", "cost.instanceTypes.witness", "patroni.restApiPort", "endpoints.app.secondary.loadBalancer.zoneId"]) {
      expect(paths, key).toContain(key);
    }
    expect(cases.length).toBeGreaterThan(250);
  });
});

describe.each(cases.map((c) => [`${c.path.join(".")} (${c.kind})`, c] as const))("%s", (_name, c) => {
  it("is told as a sentence naming the key, the value, what is allowed and an example", () => {
    const key = c.path.join(".");
    const problems = problemsOf(setAt(c.values, c.path, c.bad), [key]);
    expect(problems.length, `${key} = ${JSON.stringify(c.bad)} was accepted`).toBeGreaterThan(0);
    // The problem at the key set (or, for a value the walk made invalid as a whole, the key above it).
    const mine = problems.filter((p) => key.startsWith(p.slice("crazy-gary-dr:".length).split(": ")[0]));
    expect(mine, problems.join("\n")).not.toEqual([]);
    for (const problem of problems) {
      const at = problem.slice("crazy-gary-dr:".length).split(": ")[0];
      expect(sentenceFaults(problem, at), problem).toEqual([]);
    }
  });
});

/** The rules only code states (refinements), each broken once; `at` is the key the rule belongs to. */
const refinementCases: { at: string; set: string[]; expected: string }[] = [
  { at: "regions.primary", set: ["regions.primary=mars-1"], expected: 'crazy-gary-dr:regions.primary: "mars-1" is not an AWS region code;' },
  { at: "regions.secondary", set: ["regions.secondary=us-west2"], expected: 'crazy-gary-dr:regions.secondary: "us-west2" is not an AWS region code; did you mean us-west-2?' },
  { at: "regions.witness", set: ["regions.witness=us-east-1"], expected: 'crazy-gary-dr:regions.witness: "us-east-1" is the same as regions.primary; use a third region so losing one region leaves etcd two of its three members, e.g. us-east-2' },
  { at: "regions", set: ["regions.secondary=us-east-1"], expected: 'crazy-gary-dr:regions.secondary: "us-east-1" is the same as regions.primary; use a different region so one outage cannot take both, e.g. us-west-2' },
  { at: "endpoints", set: ["endpoints.api.secondary={hostname: api-usw2.crazy-gary.app}"], expected: 'crazy-gary-dr:endpoints.api.secondary: {"hostname":"api-usw2.crazy-gary.app"} is a hostname endpoint but endpoints.api.primary is a loadBalancer; use the same kind in both regions' },
  { at: "alerts.P0", set: ["alerts.P0=[{protocol: email, endpoint: a@crazy-gary.app}, {protocol: email, endpoint: a@crazy-gary.app}]"], expected: 'crazy-gary-dr:alerts.P0.1.endpoint: "a@crazy-gary.app" is listed twice for this severity (entry 0 too); list each subscriber once, e.g. remove entry 1' },
  { at: "alerts.P0.0.endpoint", set: ["alerts.P0=[{protocol: https, endpoint: 'https://hooks.slack.com/services/T0/B0/x'}]"], expected: "is a Slack webhook" },
  { at: "healthCheck.checkerRegions.0", set: ["healthCheck.checkerRegions=[us-east-1, us-west-2, euwest-1]"], expected: 'crazy-gary-dr:healthCheck.checkerRegions.2: "euwest-1" is not a Route53 checker region; did you mean eu-west-1?' },
  { at: "recovery.databaseRpoMinutes", set: ["recovery.databaseRpoMinutes=10"], expected: "crazy-gary-dr:recovery.databaseRpoMinutes: 10 is looser than the runbook's 5 min" },
  { at: "recovery.archiveTimeoutSeconds", set: ["recovery.archiveTimeoutSeconds=300"], expected: "use a value <= 60, e.g. 60" },
  { at: "retention.fullDays", set: ["retention.fullDays=14"], expected: "use a value >= 30, e.g. 30" },
  { at: "retention.incrementalDays", set: ["retention.incrementalDays=1"], expected: "use a value >= 7, e.g. 7" },
  { at: "retention.walHours", set: ["retention.walHours=12"], expected: "use a value >= 48, e.g. 48" },
  { at: "retention.pitrHours", set: ["retention.pitrHours=12"], expected: "use a value >= 24, e.g. 24" },
  { at: "retention.logDays", set: ["retention.logDays=100"], expected: "crazy-gary-dr:retention.logDays: 100 is not a retention CloudWatch Logs accepts; use one of 90, 120," },
  { at: "schedules.incrementalEveryHours", set: ["schedules.incrementalEveryHours=5"], expected: "crazy-gary-dr:schedules.incrementalEveryHours: 5 does not divide a day; use 1, 2, 3, 4 or 6, e.g. 6" },
  { at: "backupCopy", set: ["backupCopy.minRetentionDays=400"], expected: "crazy-gary-dr:backupCopy.minRetentionDays: 400 conflicts with backupCopy.maxRetentionDays (the default 365), which is below minRetentionDays (400); use a value >= 400, e.g. 400" },
  { at: "app", set: ["app.STRIPE_SECRET=sk_live_1"], expected: "crazy-gary-dr:app.STRIPE_SECRET: [secret] looks like a secret" },
  { at: "patroni", set: ["patroni.retryTimeout=15"], expected: "crazy-gary-dr:patroni.retryTimeout: 15 breaks the rule on patroni: loopWait + 2 x retryTimeout = 10 + 2 x 15 = 40 s is more than ttl 30 s" },
  { at: "etcd", set: ["etcd.heartbeatIntervalMs=300"], expected: "crazy-gary-dr:etcd.heartbeatIntervalMs: 300 conflicts with etcd.electionTimeoutMs (the default 1000), which is less than 5 x heartbeatIntervalMs (1500); etcd refuses to start: use at least 1500, e.g. 3000" },
  { at: "cost.instanceTypes.database", set: ["cost.instanceTypes.database=m9.large"], expected: 'crazy-gary-dr:cost.instanceTypes.database: "m9.large" is not an instance type the price table prices' },
  { at: "cost.instanceTypes.witness", set: ["cost.instanceTypes.witness=t4g.smal"], expected: "did you mean t4g.small?" },
  { at: "", set: ["regionDown=primary"], expected: 'crazy-gary-dr:regionDown: "primary" is the active region (activeRegion: primary); name the region you are failing over from, e.g. regionDown: secondary, or remove regionDown' },
];

describe("rules stated in code (refinements)", () => {
  it("has a case for every key with a refinement", () => {
    const covered = new Set(refinementCases.map((c) => c.at));
    const thresholdKeys = [...refined].filter((k) => k.startsWith("thresholds."));
    // The thresholds share one rule (atLeast/atMost) with retention and recovery: two of them stand for all.
    expect([...refined].filter((k) => !covered.has(k) && !thresholdKeys.includes(k) && !k.startsWith("databases.secondary") && !/^alerts\.P[123]/.test(k))).toEqual([]);
  });

  it.each(refinementCases.map((c) => [c.set.join(" "), c] as const))("--set %s", (_name, c) => {
    let problems: string[] = [];
    try {
      parseStackConfig(loadStackConfig("prod", { set: c.set }));
    } catch (err) {
      if (!(err instanceof StackConfigError)) throw err;
      problems = [...err.problems];
    }
    expect(problems).toContainEqual(expect.stringContaining(c.expected));
    for (const problem of problems) expect(sentenceFaults(problem, problem.slice("crazy-gary-dr:".length).split(": ")[0]), problem).toEqual([]);
  });
});

describe("a rule between two keys is told at the key the user changed", () => {
  it.each([
    [["regions.primary=us-west-2"], 'crazy-gary-dr:regions.primary: "us-west-2" conflicts with regions.secondary ("us-west-2"), which is the same as regions.primary; use a different region so one outage cannot take both, e.g. us-east-1'],
    [["regions.secondary=us-east-1"], 'crazy-gary-dr:regions.secondary: "us-east-1" is the same as regions.primary;'],
    [["regions.primary=us-east-2"], 'crazy-gary-dr:regions.primary: "us-east-2" conflicts with regions.witness ("us-east-2"), which is the same as regions.primary;'],
    [["activeRegion=secondary", "regionDown=secondary"], 'crazy-gary-dr:regionDown: "secondary" is the active region (activeRegion: secondary); name the region you are failing over from, e.g. regionDown: primary'],
    [["etcd.clientPort=2380"], "crazy-gary-dr:etcd.clientPort: 2380 conflicts with etcd.peerPort (the default 2380), which is the same as clientPort (2380); use two different ports, e.g. 2381"],
    [["endpoints.api.primary={hostname: api-use1.crazy-gary.app}"], 'crazy-gary-dr:endpoints.api.primary: {"hostname":"api-use1.crazy-gary.app"} conflicts with endpoints.api.secondary ({"loadBalancer":{"dnsName":"api-usw2-0987654321.us-west-2.elb.amazonaws.com",...), which is a loadBalancer endpoint but endpoints.api.primary is a hostname;'],
  ])("--set %j", (set, expected) => {
    let problems: string[] = [];
    try {
      parseStackConfig(loadStackConfig("prod", { set }));
    } catch (err) {
      if (!(err instanceof StackConfigError)) throw err;
      problems = [...err.problems];
    }
    expect(problems).toEqual([expect.stringContaining(expected)]);
  });
});
