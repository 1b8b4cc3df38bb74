/**
 * Mock engine state for the offline plan and the tests: realistic per-type state (ids and
 * ARNs from the logical name and region), invokes answered only for tokens we know.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export const mockAccountId = "123456789012";

/** Stack outputs that `StackReference`s see, keyed by fully qualified stack name. */
export type StackReferenceOutputs = Record<string, Record<string, unknown>>;

type State = Record<string, unknown>;

/** The ARN the mock engine gives a Secrets Manager secret named `name` (its logical name) in `region`. */
export const mockSecretArn = (name: string, region: string): string => `arn:aws:secretsmanager:${region}:${mockAccountId}:secret:${name}-AbCdEf`;

/** The schema version the mock engine reads from a database: a stable hash of its address, `sha256:<hex>`. */
export const mockSchemaVersion = (database: { host: unknown; port: unknown; database: unknown }): string =>
  `sha256:${createHash("sha256").update(`${String(database.host)}:${String(database.port)}/${String(database.database)}`).digest("hex")}`;

/** The AWS service part of an ARN for a resource type token (`aws:s3/bucket:Bucket` -> `s3`). */
const arnService = (type: string) => type.split(":")[1]?.split("/")[0] ?? "unknown";

function awsState(type: string, name: string, inputs: State, region: string): State {
  const id = `${name}-id`;
  const arn = `arn:aws:${arnService(type)}:${region}:${mockAccountId}:${name}`;
  switch (type) {
    case "aws:s3/bucket:Bucket": {
      const bucket = (inputs.bucket as string | undefined) ?? `${name}-0a1b2c3`;
      return { id: bucket, state: { bucket, arn: `arn:aws:s3:::${bucket}`, region, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com` } };
    }
    case "aws:kms/key:Key":
      return { id, state: { keyId: id, arn: `arn:aws:kms:${region}:${mockAccountId}:key/${id}` } };
    case "aws:iam/role:Role":
    case "aws:iam/instanceProfile:InstanceProfile":
    case "aws:iam/policy:Policy":
      return { id: name, state: { name: (inputs.name as string | undefined) ?? name, arn: `arn:aws:iam::${mockAccountId}:${type.includes("role") ? "role" : type.includes("Profile") ? "instance-profile" : "policy"}/${name}` } };
    case "aws:sns/topic:Topic":
      return { id: `arn:aws:sns:${region}:${mockAccountId}:${name}`, state: { arn: `arn:aws:sns:${region}:${mockAccountId}:${name}`, name } };
    case "aws:secretsmanager/secret:Secret":
      return { id: mockSecretArn(name, region), state: { arn: mockSecretArn(name, region) } };
    case "aws:secretsmanager/secretVersion:SecretVersion":
      // The provider's id is "<secret ARN>|<version id>"; the version id changes with the value.
      return { id: `${String(inputs.secretId)}|${name}-v1`, state: { versionId: `${name}-v1` } };
    case "aws:route53/healthCheck:HealthCheck":
      return { id: `hc-${name}`, state: { arn: `arn:aws:route53:::healthcheck/hc-${name}` } };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id: (inputs.name as string | undefined) ?? name, state: { arn: `arn:aws:logs:${region}:${mockAccountId}:log-group:${(inputs.name as string | undefined) ?? name}` } };
    case "aws:ssm/parameter:Parameter": {
      // A path name's ARN is `parameter` followed by the name, its leading slash included
      // (aws-cdk-lib aws-ssm/lib/util.js arnForParameterName).
      const parameter = (inputs.name as string | undefined) ?? name;
      return { id: parameter, state: { name: parameter, arn: `arn:aws:ssm:${region}:${mockAccountId}:parameter${parameter.startsWith("/") ? "" : "/"}${parameter}` } };
    }
    case "aws:cloudwatch/eventRule:EventRule":
      return { id: (inputs.name as string | undefined) ?? name, state: { name: (inputs.name as string | undefined) ?? name, arn: `arn:aws:events:${region}:${mockAccountId}:rule/${name}` } };
    default:
      return { id, state: { arn } };
  }
}

const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const unwrapSecret = (value: unknown): unknown =>
  value !== null && typeof value === "object" && (value as State)["4dabf18193072939515e22adb298388d"] === secretSig ? (value as State).value : value;

/** A PEM block whose body names the resource: what `@pulumi/tls` returns, minus the cryptography. */
const mockPem = (label: string, name: string) => `-----BEGIN ${label}-----\nmock ${name}\n-----END ${label}-----\n`;

/** `@pulumi/tls` outputs: PEM-shaped text per resource; a certificate is not due for renewal. */
function tlsState(type: string, name: string): State | undefined {
  switch (type) {
    case "tls:index/privateKey:PrivateKey":
      return { privateKeyPem: mockPem("RSA PRIVATE KEY", name), publicKeyPem: mockPem("PUBLIC KEY", name) };
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: mockPem("CERTIFICATE REQUEST", name) };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { certPem: mockPem("CERTIFICATE", name), readyForRenewal: false };
    default:
      return undefined;
  }
}

function otherState(type: string, name: string, inputs: State, stackReferences: StackReferenceOutputs): { id: string; state: State } {
  if (type === "pulumi:pulumi:StackReference") {
    const stackName = inputs.name as string;
    const outputs = stackReferences[stackName];
    if (!outputs) throw new Error(`mock: no outputs stood in for StackReference ${stackName}; known: ${Object.keys(stackReferences).join(", ") || "none"}`);
    return { id: stackName, state: { name: stackName, outputs, secretOutputNames: [] } };
  }
  if (type === "random:index/randomPassword:RandomPassword") {
    return { id: `${name}-id`, state: { result: `mock-password-${name}`, bcryptHash: `$2a$10$mock${name}` } };
  }
  const tlsPem = tlsState(type, name);
  if (tlsPem) return { id: `${name}-id`, state: tlsPem };
  // A map holding a secret may reach the mock as one secret envelope ({<sig>, value}).
  const env = unwrapSecret(inputs.environment) as State | undefined;
  if (type === "command:local:Command" && env?.SCHEMA_SYNC_MODE === "version") {
    // schema-sync.sh in SCHEMA_SYNC_MODE=version, in the script's own words.
    const version = mockSchemaVersion({ host: env.SOURCE_HOST, port: env.SOURCE_PORT, database: env.SOURCE_DATABASE });
    return { id: `${name}-id`, state: { stdout: `schema-sync: schema version ${version}\n`, stderr: "" } };
  }
  if (type.startsWith("command:")) return { id: `${name}-id`, state: { stdout: "", stderr: "" } };
  return { id: `${name}-id`, state: {} };
}

/** Answers for the invokes the program makes; any other token fails loudly. */
function invoke(token: string, inputs: State): State {
  switch (token) {
    default:
      throw new Error(`mock: unexpected invoke ${token}(${JSON.stringify(inputs)}); add it to tools/offline/mocks.ts if the program really needs it`);
  }
}

/** One invoke the program made: its token and the provider reference (`urn::id`) it ran with. */
export interface InvokeCall {
  token: string;
  provider: string | null;
}

/**
 * Creates the mocks; `regionOfProvider` maps a provider reference (`urn::id`) to its region;
 * `onInvoke` hears of every invoke the program makes, before it is answered.
 */
export function createMocks(
  stackReferences: StackReferenceOutputs,
  regionOfProvider: (ref: string) => string | undefined,
  onInvoke?: (call: InvokeCall) => void,
): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      const inputs = args.inputs as State;
      if (args.type.startsWith("pulumi:providers:")) return { id: `${args.name}-provider-id`, state: inputs };
      if (args.type.startsWith("aws:")) {
        const region = regionOfProvider(args.provider ?? "") ?? "unknown-region";
        const { id, state } = awsState(args.type, args.name, inputs, region) as { id: string; state: State };
        return { id, state: { ...inputs, ...state } };
      }
      const { id, state } = otherState(args.type, args.name, inputs, stackReferences);
      return { id, state: { ...inputs, ...state } };
    },
    call(args) {
      onInvoke?.({ token: args.token, provider: args.provider || null });
      return invoke(args.token, args.inputs as State);
    },
  };
}
