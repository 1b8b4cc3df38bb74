/**
 * Paging rule, advisory: a P2 or P3 topic nobody can ever receive. Advisory, not mandatory (the
 * one exception to define.ts's rule, on purpose): the runbook's P2/P3 are tickets, not pages, and
 * an environment may route them nowhere for a while; the plan warns as well.
 */
import type { EnforcementLevel, PolicyResource, ReportViolation } from "@pulumi/policy";
import { severitiesThatMustDeliver } from "../domain/alertDelivery";
import { stackPolicy } from "./define";
import { alertTopics, subscribersOf } from "./pagingView";
import { resolveSettings } from "./settings";

export const pagingLowPolicyName = "paging-p2-p3-subscribed";
export const pagingLowEnforcement: EnforcementLevel = "advisory";

export function checkLowPaging(resources: readonly PolicyResource[], report: ReportViolation): void {
  for (const { topic, severity, name } of alertTopics(resources).filter((t) => !severitiesThatMustDeliver.includes(t.severity))) {
    const subscribers = subscribersOf(resources, topic);
    if (subscribers.immediate.length + subscribers.pending.length > 0) continue;
    report(`${severity} topic ${name} has no subscriber that can deliver; ${severity} alarms reach nobody: add one under alerts.${severity}`, topic.urn);
  }
}

export function createPagingLowPolicies(overrides: Readonly<Record<string, unknown>> = {}) {
  const policy = stackPolicy(
    { name: pagingLowPolicyName, description: "Every P2 and P3 alert topic has a subscriber (advisory).", settings: [] },
    resolveSettings(overrides),
    (resources, _s, report) => checkLowPaging(resources, report),
  );
  return [{ ...policy, enforcementLevel: pagingLowEnforcement }];
}
