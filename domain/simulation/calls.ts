/**
 * Which endpoints each step and each invoke calls: a table per resource type and invoke token,
 * read against the plan (a resource's region, its provider's inputs, the hosts its inputs name).
 * Pure. A type or token missing from the tables is an error, so a new kind of resource cannot be
 * simulated silently as "calls nothing" (test/simulation.test.ts checks every type of both plans).
 */
import { callTargetOf } from "../controlPlanes";
import { partitionalControlPlanes, partitionalControl, type Endpoint } from "./endpoints";
import type { SimHost, SimResource, SimTopology } from "./model";

/** What the engine does to one resource in a run. */
export type StepOp = "create" | "update" | "replace" | "delete";

/** One call a step or invoke makes, with why. */
export interface Call {
  endpoint: Endpoint;
  why: string;
  /** The step still succeeds when this endpoint is down (the step's own script handles it). */
  optional?: boolean;
}

/** What a step needs to know besides its own resource. */
export interface CallContext {
  topology: SimTopology;
  /** Every resource of the same plan, by URN (providers included). */
  byUrn: ReadonlyMap<string, SimResource>;
  /** Host variables of a flip command that may be unreachable (flipSteps.ts); other named hosts are required. */
  optionalHostVariables?: readonly string[];
}

const truthy = (value: unknown) => value === true || value === "true";

/**
 * An AWS provider, when the engine configures it (in the preview `pulumi up` runs first, for
 * every provider the program registers, changed or not), validates its credentials with
 * sts:GetCallerIdentity and looks up the account id, unless told to skip them:
 * "skipCredentialsValidation — Skip the credentials validation via STS API",
 * "skipRequestingAccountId — Skip requesting the account ID" (Pulumi Registry, AWS provider
 * "Installation & Configuration"; terraform-provider-aws `skip_credentials_validation`,
 * `skip_requesting_account_id`; citations P18). The TF provider's AWS SDK v2 calls STS at the
 * provider's own regional endpoint (citations P18, P23: "Use Regional STS endpoints"). Seen in
 * previews: "validating provider credentials: retrieving caller identity from STS: operation error
 * STS: GetCallerIdentity" (pulumi/pulumi-aws#2986), "pulumi:providers:aws resource ... has a problem:
 * could not validate provider configuration: unable to validate AWS credentials" (pulumi/pulumi-aws#3310),
 * "error: Preview failed: ... error configuring Terraform AWS Provider" (pulumi/pulumi-aws#1359).
 * `skipRegionValidation` is a static check of the region name, no call.
 */
export function providerConfigureCalls(provider: SimResource): Call[] {
  if (provider.type !== "pulumi:providers:aws") return [];
  const region = typeof provider.inputs.region === "string" ? provider.inputs.region : "us-east-1";
  const calls: Call[] = [];
  if (!truthy(provider.inputs.skipCredentialsValidation)) calls.push({ endpoint: { kind: "data", service: "sts", region }, why: `provider ${provider.name}: credentials validation (sts:GetCallerIdentity; skipCredentialsValidation not set)` });
  else if (!truthy(provider.inputs.skipRequestingAccountId)) calls.push({ endpoint: { kind: "data", service: "sts", region }, why: `provider ${provider.name}: account id lookup (skipRequestingAccountId not set)` });
  return calls;
}

/** Invoke tokens and what each calls. */
export const invokeRules: Readonly<Record<string, { calls: (region: string | null) => Endpoint[]; source: string }>> = {
  "aws:route53/getZone:getZone": {
    calls: () => [partitionalControl("route53")],
    source: "data source aws_route53_zone calls ListHostedZones/GetHostedZone, Route53 API = its control plane (terraform-provider-aws internal/service/route53/zone_data_source.go; issue #22)",
  },
  "aws:index/getCallerIdentity:getCallerIdentity": {
    calls: (region) => [{ kind: "data", service: "sts", region: region ?? "us-east-1" }],
    source: "data source aws_caller_identity calls sts:GetCallerIdentity at the provider's regional STS endpoint (STS API reference GetCallerIdentity; citations P18)",
  },
  "aws:index/getPartition:getPartition": {
    calls: () => [],
    source: "data source aws_partition: \"lookup information about the current AWS partition in which the provider is working\" (terraform-provider-aws website/docs/d/partition.html.markdown; internal/service/meta partitionDataSource reads the configured client's partition): no API call",
  },
  "aws:index/getRegion:getRegion": {
    calls: () => [],
    source: "guess: data source aws_region answers from the provider's configured region and its endpoint table without an API call (terraform-provider-aws internal/service/meta, region data source); the plans make no such invoke today",
  },
};

/** The endpoints an invoke calls; throws for a token the table does not know. */
export function invokeCalls(token: string, region: string | null): Endpoint[] {
  const rule = invokeRules[token];
  if (!rule) throw new Error(`simulator: no rule for invoke ${token}; add what it calls to invokeRules (domain/simulation/calls.ts)`);
  return rule.calls(region);
}

const nameBoundary = (name: string) => new RegExp(`(^|[^A-Za-z0-9.-])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9.-])`);

/** The host a name belongs to. */
export function hostNamed(topology: SimTopology, name: string): SimHost | undefined {
  return topology.hosts.find((h) => h.names.includes(name));
}

/** Hosts named in a command's environment, by variable (the value is the host or names it, e.g. a URL). */
function hostsInEnvironment(environment: unknown, topology: SimTopology): { variable: string; value: string; host: SimHost; name: string }[] {
  if (environment === null || typeof environment !== "object") return [];
  const found: { variable: string; value: string; host: SimHost; name: string }[] = [];
  for (const [variable, value] of Object.entries(environment as Record<string, unknown>)) {
    if (typeof value !== "string") continue;
    for (const host of topology.hosts) {
      const name = host.names.find((n) => nameBoundary(n).test(value));
      if (name) found.push({ variable, value, host, name });
    }
  }
  return found;
}

/** What a named host is reached for: etcd by its variable's name, Patroni's REST API by an HTTPS URL or its name, else PostgreSQL. */
const protocolOf = (variable: string, value: string): "postgres" | "patroni" | "etcd" =>
  /ETCD/i.test(variable) ? "etcd" : /^https?:\/\//.test(value) || /PATRONI|REST/i.test(variable) ? "patroni" : "postgres";

/**
 * The calls one step makes. Rules, by type:
 * - providers: none here (configuring them is part of the preview, {@link providerConfigureCalls});
 * - `aws:<service>/*`: that service's control plane (CRUDL), where domain/controlPlanes.ts
 *   `callTargetOf` puts it: the resource's region, or a global service's one region (Route53's
 *   and IAM's partitional control planes in us-east-1, Chatbot's API in us-east-2);
 * - `command:remote:Command`: SSH to `connection.host`; a delete runs only when the command has a
 *   `delete` (pulumi-command v1.2.1 remote/commandController.go Delete: "if the delete command is
 *   empty, do nothing");
 * - `command:local:Command`: the hosts its environment names (a delete likewise only with `delete`);
 * - `postgresql:*`: PostgreSQL on its provider's `host`;
 * - `random:*`, `tls:*`, components, the stack, StackReference: no AWS or host call (random values,
 *   keys and certificates are made in the provider process; a StackReference reads the Pulumi backend, not modelled: guess that
 *   the backend answers).
 */
export function stepCalls(resource: SimResource, op: StepOp, context: CallContext): Call[] {
  const { type } = resource;
  if (!resource.custom || type.startsWith("pulumi:")) return [];
  if (type.startsWith("random:") || type.startsWith("tls:")) return [];
  if (type.startsWith("aws:")) {
    const target = callTargetOf(type, resource.region);
    if (target.kind !== "aws-control-plane") throw new Error(`simulator: ${type} is an AWS type, yet callTargetOf says ${target.kind}`);
    const endpoint = target.service in partitionalControlPlanes ? partitionalControl(target.service as keyof typeof partitionalControlPlanes) : ({ kind: "control", service: target.service, region: target.region } as const);
    return [{ endpoint, why: `${op} ${type}` }];
  }
  if (type === "command:remote:Command") {
    if (op === "delete" && !resource.inputs.delete) return [];
    const name = resource.connectionHost;
    const host = name ? hostNamed(context.topology, name) : undefined;
    if (!name || !host) throw new Error(`simulator: ${resource.urn} connects to ${name ?? "no host"}, which the stack config names nowhere`);
    return [{ endpoint: { kind: "host", host: name, region: host.region, protocol: "ssh" }, why: `${op}: runs its command over SSH` }];
  }
  if (type === "command:local:Command") {
    if (op === "delete" && !resource.inputs.delete) return [];
    return hostsInEnvironment(resource.inputs.environment, context.topology).map(({ variable, value, host, name }) => ({
      endpoint: { kind: "host", host: name, region: host.region, protocol: protocolOf(variable, value) },
      why: `${op}: its script reaches ${variable}`,
      optional: context.optionalHostVariables?.includes(variable),
    }));
  }
  if (type.startsWith("postgresql:")) {
    const provider = resource.provider ? context.byUrn.get(resource.provider) : undefined;
    const name = typeof provider?.inputs.host === "string" ? provider.inputs.host : undefined;
    const host = name ? hostNamed(context.topology, name) : undefined;
    if (!name || !host) throw new Error(`simulator: ${resource.urn}'s PostgreSQL provider connects to ${name ?? "no host"}, which the stack config names nowhere`);
    return [{ endpoint: { kind: "host", host: name, region: host.region, protocol: "postgres" }, why: `${op} ${type}` }];
  }
  throw new Error(`simulator: no rule for what ${type} calls; add it to stepCalls (domain/simulation/calls.ts)`);
}
