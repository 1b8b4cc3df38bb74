/**
 * docs/reference/policies.md, rendered from the policy pack's own objects (`createPolicies()`
 * in `policies/policies.ts`): name, enforcement level, description and the settings each policy
 * reads (its config schema). Pure: the caller passes the policies.
 */
import type { Policies, PolicyConfigSchema } from "@pulumi/policy";
import { generatedNotice, markdownTable } from "./markdown";

type Property = { default?: unknown; description?: string; minimum?: number; maximum?: number };

function settingsText(schema: PolicyConfigSchema | undefined): string {
  const properties = Object.entries((schema?.properties ?? {}) as Record<string, Property>);
  return properties
    .map(([key, p]) => {
      const bound = p.maximum !== undefined ? `, at most ${p.maximum}` : p.minimum !== undefined ? `, at least ${p.minimum}` : "";
      return `\`${key}\` = ${JSON.stringify(p.default)}${bound} (${p.description ?? ""})`;
    })
    .join("; ");
}

export function renderPolicyReference(policies: Policies, packName: string): string {
  const rows = policies.map((policy) => [
    `\`${policy.name}\``,
    policy.enforcementLevel ?? "advisory",
    "validateStack" in policy ? "stack policy (sees every resource)" : "resource policy (one resource at a time)",
    policy.description,
    settingsText(policy.configSchema),
  ]);
  return [
    "# Policies",
    "",
    generatedNotice("the policy pack (`createPolicies()` in `policies/policies.ts`)"),
    "",
    `The CrossGuard pack \`${packName}\`: ${policies.length} policies. A mandatory violation stops`,
    "`pulumi preview`/`up` and fails the pull request's check. Settings: the numbers a policy reads,",
    "with their runbook defaults; a pack config (`--policy-pack-config`) may tighten them, never loosen",
    "them. How to run the pack and read its report: [guides/policy-pack.md](../guides/policy-pack.md).",
    "",
    markdownTable(["policy", "enforcement", "kind", "description", "settings (default, bound)"], rows),
    "",
  ].join("\n");
}
