/**
 * Renders a plan as a readable table that fits a terminal: resources grouped by region and
 * component, a multi-line value (a script, a rendered host file) as its line count and hash (the
 * full text is in `--format json`), long values cut with a marker, then outputs and a closing summary by
 * type. `--filter` narrows it to the resources whose type or name contains a text.
 */
import { createHash } from "node:crypto";
import { didYouMean, wrapList } from "../../domain/nearest";
import type { CapturedResource } from "../offline/capture";
import type { Plan } from "../offline/plan";
import { UsageError } from "./args";
import { defaultColumns, line, render } from "./terminal";
import { shownValue } from "./valueChangeLines";

/** Inputs worth a glance per resource type; other types show their first few scalar inputs. */
const keyInputs: Record<string, readonly string[]> = {
  "aws:s3/bucketVersioning:BucketVersioning": ["versioningConfiguration"],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["rules"],
  "aws:kms/key:Key": ["enableKeyRotation", "deletionWindowInDays"],
  "aws:route53/record:Record": ["name", "type", "setIdentifier", "failoverRoutingPolicies", "healthCheckId", "ttl"],
  "aws:route53/healthCheck:HealthCheck": ["type", "fqdn", "resourcePath", "requestInterval", "failureThreshold", "regions", "childHealthchecks", "disabled", "invertHealthcheck"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["metricName", "namespace", "statistic", "comparisonOperator", "threshold", "period", "evaluationPeriods", "treatMissingData", "actionsEnabled"],
  "aws:ssm/parameter:Parameter": ["name", "type", "insecureValue"],
};

/** The widest the type and name columns grow; a longer one pushes its own row's rest to the right. */
const maxTypeColumn = 30;
const maxNameColumn = 36;

/** A row cut to `columns` with a marker, keeping `tail` (`  [protected]`) whole (the whole row is in `--format json`). */
const fit = (row: string, tail: string, columns: number) => {
  const room = columns - tail.length;
  return `${row.length > room ? `${row.slice(0, room - 1)}…` : row}${tail}`;
};

/** A multi-line string (a script, a rendered file) as `[N lines, sha256 <12 hex>]`. */
export function scriptDigest(text: string): string {
  const lines = text.replace(/\n$/, "").split("\n").length;
  return `[${lines} lines, sha256 ${createHash("sha256").update(text).digest("hex").slice(0, 12)}; full text in --format json]`;
}

function summarise(value: unknown): string {
  if (typeof value === "string" && value.includes("\n")) return scriptDigest(value);
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}

function keySettings(resource: CapturedResource): string {
  const picks = keyInputs[resource.type] ?? Object.keys(resource.inputs).filter((k) => !k.startsWith("__") && k !== "tags" && k !== "tagsAll").slice(0, 3);
  return picks
    .filter((k) => resource.inputs[k] !== undefined)
    .map((k) => `${k}=${summarise(resource.inputs[k])}`)
    .join("  ");
}

/** A type token without its module path: `aws:cloudwatch/metricAlarm:MetricAlarm` -> `aws:cloudwatch:MetricAlarm`. */
export const shortType = (type: string) => (type.startsWith("pulumi:providers:") ? type : type.split(":").slice(0, 2).join(":").replace(/\/.*$/, "") + ":" + type.split(":").pop());

/** The nearest component ancestor's name, for grouping. */
function componentOf(resource: CapturedResource, byUrn: Map<string, CapturedResource>): string {
  let parent = resource.parent ? byUrn.get(resource.parent) : undefined;
  while (parent && parent.custom) parent = parent.parent ? byUrn.get(parent.parent) : undefined;
  if (!parent || parent.type === "pulumi:pulumi:Stack") return "(stack)";
  return `${parent.type.replace(/^crazygary:dr:/, "")} ${parent.name}`;
}

/** The class part of a type token: `aws:cloudwatch/metricAlarm:MetricAlarm` -> `MetricAlarm`. */
const className = (type: string) => (type.startsWith("pulumi:providers:") ? `${type.split(":").pop()} provider` : type.split(":").pop()!);

/** `230 resources: 38 MetricAlarm, 12 Topic, ...`, most frequent first. */
export function summaryByType(resources: readonly Pick<CapturedResource, "type">[]): string {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(className(r.type), (counts.get(className(r.type)) ?? 0) + 1);
  const parts = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name, n]) => `${n} ${name}`);
  return wrapList([`${resources.length} resources: ${parts[0] ?? ""}`, ...parts.slice(1)], 100, "  ");
}

/** The resources whose type or name contains `filter` (any case); none is a usage error with a suggestion. */
export function filterResources<R extends Pick<CapturedResource, "type" | "name">>(resources: readonly R[], filter: string): R[] {
  const wanted = filter.toLowerCase();
  const kept = resources.filter((r) => r.type.toLowerCase().includes(wanted) || r.name.toLowerCase().includes(wanted));
  if (kept.length === 0) {
    // Candidates: the class (MetricAlarm), the service (route53) and the name of each resource.
    const names = [...new Set(resources.flatMap((r) => [className(r.type), r.type.split(":")[1]?.split("/")[0] ?? r.type, r.name]))];
    throw new UsageError(`--filter ${JSON.stringify(filter)}: matches no resource type or name;${didYouMean(filter, names)} give part of a type (MetricAlarm, route53) or a name (alarms-api)`);
  }
  return kept;
}

/**
 * `label`: the stack and its `--set` overrides as a header names them (tools/cli/args.ts
 * stackLabel); `columns`: the terminal's width (tools/cli/terminal.ts terminalOf): the type and
 * name columns as wide as their content (capped), a longer row cut with a marker, each output on
 * one line as compact JSON or, when longer, its size and a short hash.
 */
export function renderPlanTable(plan: Plan, filter?: string, label = `stack ${plan.stack}`, columns = defaultColumns): string {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const all = plan.resources.filter((r) => r.custom);
  const custom = filter === undefined ? all : filterResources(all, filter);
  const groups = new Map<string, CapturedResource[]>();
  for (const resource of custom) {
    const key = `${resource.region ?? "no region"} | ${componentOf(resource, byUrn)}`;
    groups.set(key, [...(groups.get(key) ?? []), resource]);
  }
  const lines = [
    filter === undefined
      ? `Plan of ${label}: ${custom.length} resources (${plan.resources.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack").length} components and the stack)`
      : `Plan of ${label}: ${custom.length} of ${all.length} resources whose type or name contains ${JSON.stringify(filter)}`,
    "",
  ];
  const typeWidth = Math.min(maxTypeColumn, Math.max(0, ...custom.map((r) => shortType(r.type).length)));
  const nameWidth = Math.min(maxNameColumn, Math.max(0, ...custom.map((r) => r.name.length)));
  for (const key of [...groups.keys()].sort()) {
    lines.push(fit(`== ${key}`, "", columns));
    for (const resource of groups.get(key)!) {
      const row = `  ${shortType(resource.type).padEnd(typeWidth)}  ${resource.name.padEnd(nameWidth)}  ${keySettings(resource)}`;
      lines.push(fit(row, resource.options.protect ? "  [protected]" : "", columns));
    }
    lines.push("");
  }
  if (filter === undefined) {
    lines.push("Outputs:", ...Object.entries(plan.outputs).map(([key, value]) => fit(`  ${key}: ${shownValue(value, columns - key.length - 4, "--format json has it")}`, "", columns)));
  }
  if (plan.placeholders.length > 0) {
    const note = `Secrets stood in by placeholders (set the real ones with \`pulumi config set --secret --path <key> ...\`): ${plan.placeholders.join(", ")}`;
    lines.push("", render([{ ...line(note), hangingIndent: 4 }], { columns, color: false }));
  }
  lines.push("", summaryByType(custom));
  return lines.join("\n");
}
