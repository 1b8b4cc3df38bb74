/**
 * The generated reference files, path -> content: the config schema, the alarm catalog and its
 * metric contract, and the policy pack, each through its pure renderer. `generate.ts` writes
 * them; `test/docs.test.ts` fails when a committed file differs.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { alarmCatalog } from "../../domain/alarmCatalog";
import { projectName, secretConfigKeys, stackConfigSchema } from "../../infra/config";
import { parseStackConfig } from "../../infra/parseConfig";
import { createPolicies, packName } from "../../policies/policies";
import { loadStackConfig, repositoryRoot } from "../../tools/offline/stackFiles";
import { renderAlarmReference, renderMetricContractReference } from "./alarmReference";
import { renderConfigReference } from "./configReference";
import { renderPolicyReference } from "./policyReference";
import { schemaRows } from "./schemaWalk";

/** The stack whose effective settings the alarm references show (thresholds are shared). */
export const referenceStack = "prod";

/** Top-level keys `Pulumi.yaml` sets for every stack, without the project prefix. */
export function sharedConfigKeys(dir = repositoryRoot): string[] {
  const project = (parseYaml(readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) ?? {}) as { config?: Record<string, unknown> };
  return Object.keys(project.config ?? {})
    .filter((key) => !key.includes(":") || key.startsWith(`${projectName}:`))
    .map((key) => key.replace(`${projectName}:`, ""));
}

/** Every generated file, by its path relative to the repository root, in a fixed order. */
export function renderReferenceDocs(): Record<string, string> {
  const alarms = alarmCatalog(parseStackConfig(loadStackConfig(referenceStack)));
  return {
    "docs/reference/config.md": renderConfigReference({
      project: projectName,
      rows: schemaRows(stackConfigSchema),
      sharedKeys: sharedConfigKeys(),
      secretKeys: secretConfigKeys,
    }),
    "docs/reference/alarms.md": renderAlarmReference(alarms, referenceStack),
    "docs/reference/metric-contract.md": renderMetricContractReference(alarms),
    "docs/reference/policies.md": renderPolicyReference(createPolicies(), packName),
  };
}
