/**
 * Paging rule: a P0 or P1 topic reaches someone the minute the stack is up, through a subscriber
 * that needs no confirmation (AWS Chatbot, PagerDuty). An e-mail that nobody has clicked yet, an
 * unconfirmed https endpoint or a Slack webhook (which never confirms) pages nobody.
 */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { severitiesThatMustDeliver } from "../domain/alertDelivery";
import { settinglessStackPolicy } from "./define";
import { alertTopics, subscribersOf } from "./pagingView";
import { regionOf } from "./stackView";

export const pagingUrgentPolicyName = "paging-p0-p1-reach-someone";

export function checkUrgentPaging(resources: readonly PolicyResource[], report: ReportViolation): void {
  for (const { topic, severity, name } of alertTopics(resources).filter((t) => severitiesThatMustDeliver.includes(t.severity))) {
    const subscribers = subscribersOf(resources, topic);
    if (subscribers.immediate.length > 0) continue;
    const others = [...subscribers.pending.map((s) => `${s} (pending until confirmed)`), ...subscribers.never.map((s) => `${s} (a Slack webhook never confirms)`)];
    report(
      `${severity} topic ${name} in ${regionOf(topic) ?? "an unknown region"} has no subscriber that delivers once created${others.length ? `: only ${others.join(", ")}` : ""}; add {protocol: pagerduty, integrationKey: ...} or {protocol: slack, teamId, channelId} under alerts.${severity}`,
      topic.urn,
    );
  }
}

export const createPagingUrgentPolicies = settinglessStackPolicy(
  pagingUrgentPolicyName,
  "Every P0 and P1 alert topic has a subscriber that delivers without a confirmation (AWS Chatbot or PagerDuty).",
  checkUrgentPaging,
);
