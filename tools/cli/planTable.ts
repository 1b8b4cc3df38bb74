/** Renders a plan as a readable table: resources grouped by region and component, then outputs. */
import type { CapturedResource } from "../offline/capture";
import type { Plan } from "../offline/plan";

/** Inputs worth a glance per resource type; other types show their first few scalar inputs. */
const keyInputs: Record<string, readonly string[]> = {
  "aws:s3/bucketVersioning:BucketVersioning": ["versioningConfiguration"],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["rules"],
  "aws:kms/key:Key": ["enableKeyRotation", "deletionWindowInDays"],
  "aws:route53/record:Record": ["name", "type", "setIdentifier", "failoverRoutingPolicies", "healthCheckId", "ttl"],
  "aws:route53/healthCheck:HealthCheck": ["fqdn", "resourcePath", "requestInterval", "failureThreshold", "regions"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["metricName", "namespace", "statistic", "comparisonOperator", "threshold", "period", "evaluationPeriods", "treatMissingData"],
  "aws:ssm/parameter:Parameter": ["name", "type", "insecureValue"],
};

function summarise(value: unknown): string {
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

const shortType = (type: string) => (type.startsWith("pulumi:providers:") ? type : type.split(":").slice(0, 2).join(":").replace(/\/.*$/, "") + ":" + type.split(":").pop());

/** The nearest component ancestor's name, for grouping. */
function componentOf(resource: CapturedResource, byUrn: Map<string, CapturedResource>): string {
  let parent = resource.parent ? byUrn.get(resource.parent) : undefined;
  while (parent && parent.custom) parent = parent.parent ? byUrn.get(parent.parent) : undefined;
  if (!parent || parent.type === "pulumi:pulumi:Stack") return "(stack)";
  return `${parent.type.replace(/^crazygary:dr:/, "")} ${parent.name}`;
}

export function renderPlanTable(plan: Plan): string {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const custom = plan.resources.filter((r) => r.custom);
  const groups = new Map<string, CapturedResource[]>();
  for (const resource of custom) {
    const key = `${resource.region ?? "no region"} | ${componentOf(resource, byUrn)}`;
    groups.set(key, [...(groups.get(key) ?? []), resource]);
  }
  const lines = [`Stack ${plan.stack}: ${custom.length} resources (${plan.resources.length - custom.length} components and the stack)`, ""];
  for (const key of [...groups.keys()].sort()) {
    lines.push(`== ${key}`);
    for (const resource of groups.get(key)!) {
      lines.push(`  ${shortType(resource.type).padEnd(44)} ${resource.name.padEnd(44)} ${keySettings(resource)}${resource.options.protect ? "  [protected]" : ""}`);
    }
    lines.push("");
  }
  lines.push("Outputs:", JSON.stringify(plan.outputs, null, 2));
  if (plan.placeholders.length > 0) {
    lines.push("", `Secrets stood in by placeholders (set the real ones with \`pulumi config set --secret --path <key> ...\`): ${plan.placeholders.join(", ")}`);
  }
  return lines.join("\n");
}
