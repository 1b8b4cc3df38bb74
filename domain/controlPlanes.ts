/**
 * Which endpoint each resource's create, update or delete calls: the table the failure simulator
 * (`domain/simulation/`) reads to decide which steps fail when a region or a control plane is down.
 * Keyed by the engine's type token; resource names are the program's (FailoverDns, AlarmSet, ...).
 *
 * Sources:
 * - Route53 and IAM are global services whose control planes (every API call: records, health
 *   checks, roles, policies, instance profiles) are hosted only in us-east-1; Route53's data plane
 *   (DNS answers, health checks, failover on their status) is not ("AWS Fault Isolation
 *   Boundaries", "Global services" and Appendix B; /tmp/citations.md P14).
 * - AWS Chatbot's API has endpoints in a few regions only; this stack calls it in us-east-2
 *   (infra/regions.ts `chatbotRegion`, with its sources).
 * - Every other AWS resource is regional: its provider's region's API (the service's regional
 *   control plane).
 * - `command:remote:Command` runs over SSH on the database host it names (that host's region);
 *   `command:local:Command` runs where `pulumi up` runs and calls what its script calls (the flip:
 *   the surviving region's Patroni REST API; schema sync: both databases).
 * - `postgresql:*` resources call the writable database through the one PostgreSQL provider.
 * - `random:*` and `tls:*` call nothing (keys and certificates are made in the provider process).
 * - An AWS provider's start-up calls are decided in `domain/providerSettings.ts`; the simulator
 *   reads them from each provider's own flags in the plan (domain/simulation/calls.ts
 *   `providerConfigureCalls`).
 *
 * Pure: imports nothing outside `domain/`.
 */

/** Where a step's API call goes. */
export type CallTarget =
  /** A service's control plane in one region. */
  | { kind: "aws-control-plane"; service: string; region: string }
  /** SSH to a database host (its region). */
  | { kind: "ssh-host"; region: string }
  /** The writable PostgreSQL (the active region's database). */
  | { kind: "postgres-writable" }
  /** Runs where `pulumi up` runs; what it reaches is its script's (see the module comment). */
  | { kind: "local" }
  /** No call at all. */
  | { kind: "none" };

/** Global AWS services and the one region their control plane lives in. */
export const globalControlPlanes: Readonly<Record<string, string>> = Object.freeze({
  route53: "us-east-1",
  iam: "us-east-1",
  chatbot: "us-east-2",
});

/** The AWS service of a type token: `aws:route53/healthCheck:HealthCheck` -> `route53`. */
export function awsServiceOf(type: string): string {
  const match = /^aws:([^/:]+)\//.exec(type);
  if (!match) throw new Error(`awsServiceOf: ${JSON.stringify(type)} is not an aws:<service>/<resource>:<Type> token`);
  return match[1];
}

/**
 * The call a step of this resource makes. `region` is the region of the resource's provider (AWS)
 * or of the host it runs on (remote commands); ignored otherwise.
 */
export function callTargetOf(type: string, region: string | null): CallTarget {
  if (type.startsWith("random:") || type.startsWith("tls:")) return { kind: "none" };
  if (type.startsWith("postgresql:")) return { kind: "postgres-writable" };
  if (type === "command:local:Command") return { kind: "local" };
  if (type === "command:remote:Command") return { kind: "ssh-host", region: requireRegion(type, region) };
  if (type.startsWith("aws:")) {
    const service = awsServiceOf(type);
    const global = globalControlPlanes[service];
    return { kind: "aws-control-plane", service, region: global ?? requireRegion(type, region) };
  }
  if (type.startsWith("pulumi:providers:") || type.startsWith("crazygary:") || type === "pulumi:pulumi:Stack" || type === "pulumi:pulumi:StackReference") return { kind: "none" };
  throw new Error(`callTargetOf: no rule for ${type}; add one to domain/controlPlanes.ts`);
}

function requireRegion(type: string, region: string | null): string {
  if (region === null) throw new Error(`callTargetOf: ${type} needs the region of its provider or host`);
  return region;
}
