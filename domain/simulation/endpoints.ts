/**
 * What a deployment step calls, and which of those an outage takes down. Pure.
 *
 * AWS rules relied on:
 * - A control plane is a service's administrative API: "create, read/describe, update, delete,
 *   and list (CRUDL) resources"; the data plane is the service's primary function (answering DNS,
 *   running health checks, serving GetParameter). "AWS Fault Isolation Boundaries" whitepaper,
 *   "Control planes and data planes"
 *   (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/control-planes-and-data-planes.html).
 *   Every create, update and delete a provider makes is a CRUDL call: a control-plane call.
 * - Partitional services: "In the aws partition, the IAM service's control plane is in the
 *   us-east-1 Region"; Route 53's control plane (records, health checks and their updates) is
 *   hosted only in us-east-1 while its data plane (DNS answers, health checks, failover on their
 *   status) runs everywhere ("AWS Fault Isolation Boundaries", "Global services" and Appendix A/B;
 *   /tmp/citations.md P23; issue #22 "Why").
 * - STS is "a data plane-only service" with regional endpoints, independent of the IAM control
 *   plane (same whitepaper, Appendix A, IAM; citations P23).
 * - A region that is down takes everything in it: its control and data planes, the partitional
 *   control planes it hosts, and the hosts that run there.
 */

import { globalControlPlanes } from "../controlPlanes";

/** One thing a step talks to. */
export type Endpoint =
  | { kind: "control"; service: string; region: string; partitional?: boolean }
  | { kind: "data"; service: string; region: string }
  | { kind: "host"; host: string; region: string; protocol: "ssh" | "postgres" | "patroni" | "etcd" };

/** The partitional control planes (one region serves the whole partition): `--down route53-control`, `iam-control`. */
export const partitionalControlPlanes: Readonly<Record<"route53" | "iam", string>> = Object.freeze({ route53: globalControlPlanes.route53, iam: globalControlPlanes.iam });
export type PartitionalService = keyof typeof partitionalControlPlanes;

/** The control plane of a partitional service. */
export const partitionalControl = (service: PartitionalService): Endpoint => ({ kind: "control", service, region: partitionalControlPlanes[service], partitional: true });

/** What is down during a run. */
export interface Outage {
  /** Regions entirely down: every plane, every host. */
  regions: readonly string[];
  /** Regions whose control planes (and the partitional ones they host) are down while their data planes answer. */
  controlPlanes: readonly string[];
  /** Partitional control planes down on their own. */
  partitional: readonly PartitionalService[];
}

export const noOutage: Outage = Object.freeze({ regions: [], controlPlanes: [], partitional: [] });

const regionCode = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The `--down` words, for help texts and errors. */
export const outageWords = "a region code (everything in it is down, e.g. us-east-1), REGION:control (its control planes, and Route53's and IAM's when REGION is us-east-1; its data plane and hosts stay up), route53-control, iam-control";

export class OutageError extends Error {}

/** Parses `--down` words (comma-separated lists allowed); throws naming the word and what is allowed. */
export function parseOutage(words: readonly string[]): Outage {
  const regions: string[] = [];
  const controlPlanes: string[] = [];
  const partitional: PartitionalService[] = [];
  for (const word of words.flatMap((w) => w.split(",")).map((w) => w.trim()).filter((w) => w !== "")) {
    const [head, tail] = word.split(":");
    if (word === "route53-control" || word === "iam-control") partitional.push(word.replace("-control", "") as PartitionalService);
    else if (tail === undefined && regionCode.test(head)) regions.push(head);
    else if (tail === "control" && regionCode.test(head)) controlPlanes.push(head);
    else throw new OutageError(`--down ${JSON.stringify(word)}: not an outage; allowed: ${outageWords}`);
  }
  return { regions: [...new Set(regions)], controlPlanes: [...new Set(controlPlanes)], partitional: [...new Set(partitional)] };
}

/** Whether `endpoint` answers during `outage`. */
export function isUp(endpoint: Endpoint, outage: Outage): boolean {
  if (outage.regions.includes(endpoint.region)) return false;
  if (endpoint.kind !== "control") return true;
  if (outage.controlPlanes.includes(endpoint.region)) return false;
  return !(endpoint.partitional && outage.partitional.includes(endpoint.service as PartitionalService));
}

/** Whether nothing is down. */
export const isNoOutage = (outage: Outage): boolean => outage.regions.length + outage.controlPlanes.length + outage.partitional.length === 0;

/** One line naming an endpoint, as the simulator prints it. */
export function describeEndpoint(endpoint: Endpoint): string {
  switch (endpoint.kind) {
    case "control":
      return endpoint.partitional ? `${endpoint.service} control plane (partitional, ${endpoint.region})` : `${endpoint.service} control plane in ${endpoint.region}`;
    case "data":
      return `${endpoint.service} in ${endpoint.region}`;
    case "host":
      return `${endpoint.protocol} to ${endpoint.host} (${endpoint.region})`;
  }
}

/** The outage as `--down` words. */
export function describeOutage(outage: Outage): string {
  const words = [...outage.regions, ...outage.controlPlanes.map((r) => `${r}:control`), ...outage.partitional.map((s) => `${s}-control`)];
  return words.length === 0 ? "nothing" : words.join(",");
}
