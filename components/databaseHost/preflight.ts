/**
 * The steps that run on a database host before anything that needs what the stack made for it
 * outside the host (the scripts themselves, with their sources: `preflight/*.sh`):
 * - `instance-profile.sh`: the EC2 instance carries the instance profile of `DatabaseHostIam`
 *   (the stack does not own the instance, so it cannot attach the profile; it checks it);
 * - `secret-replicas.sh`: on a host whose region holds replicas of the secrets it reads, the
 *   replica holds the version `pulumi up` just wrote, waited for with a bound.
 * Each runs as root from stdin (`bash -s`), its settings assigned before the script's text, so the
 * script is a real file (shellchecked, run by the tests against stand-ins for curl and the AWS CLI)
 * and nothing is installed on the host.
 */
import { readFileSync } from "node:fs";
import { repositoryPath } from "../repositoryFiles";
import { shellQuote } from "./render";

export type PreflightScript = "instance-profile.sh" | "secret-replicas.sh";

/** Where a preflight script lives in the repository. */
export const preflightScriptPath = (script: PreflightScript): string => repositoryPath("components", "databaseHost", "preflight", script);

/** `NAME='value'` lines, then the script's text: what `bash -s` reads. */
export function preflightScript(script: PreflightScript, settings: Readonly<Record<string, string | number>>): string {
  const lines = Object.entries(settings).map(([name, value]) => {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`preflightScript: setting name ${JSON.stringify(name)} is not an upper-case shell variable name`);
    return `${name}=${shellQuote(value)}`;
  });
  const text = readFileSync(preflightScriptPath(script), "utf8");
  // The shebang stays first so the text still reads as the script; settings follow it.
  const [shebang, ...rest] = text.split("\n");
  return [shebang, ...lines, ...rest].join("\n");
}

/**
 * How long a host waits for its region's replicas of the secrets it reads, in seconds.
 * AWS states no replication time; 300 s is a guess at a generous bound (a replica of a new secret
 * or a new value usually exists within seconds), and the step fails with the replica's state after it.
 */
export const DEFAULT_SECRET_REPLICA_WAIT_SECONDS = 300;
/** Seconds between two looks at a replica while waiting. */
export const DEFAULT_SECRET_REPLICA_POLL_SECONDS = 5;

/** Refuses a wait bound that is not whole seconds from 10 to 3600, naming the argument. */
export function checkSecretReplicaWaitSeconds(seconds: number, where: string): number {
  if (!Number.isInteger(seconds) || seconds < 10 || seconds > 3600) {
    throw new Error(`${where}: secretReplicaWaitSeconds is ${seconds}; use whole seconds from 10 to 3600 (default ${DEFAULT_SECRET_REPLICA_WAIT_SECONDS})`);
  }
  return seconds;
}

/** The instance-profile check for one host. */
export function instanceProfileCheckScript(params: { host: string; region: string; expectedArn: string }): string {
  return preflightScript("instance-profile.sh", { PREFLIGHT_HOST: params.host, PREFLIGHT_REGION: params.region, EXPECTED_INSTANCE_PROFILE_ARN: params.expectedArn });
}

/** One secret a host reads and the version `pulumi up` wrote. */
export interface SecretVersionRead {
  /** The secret's name. @example "crazy-gary/prod/postgres/monitor" */
  name: string;
  /** The version id of its current value (`SecretVersion.versionId`). */
  versionId: string;
}

/** The replica wait for one host: every secret, in the host's region, against their home region. */
export function secretReplicaWaitScript(params: {
  host: string;
  region: string;
  homeRegion: string;
  secrets: readonly SecretVersionRead[];
  waitSeconds: number;
  pollSeconds: number;
}): string {
  if (params.region === params.homeRegion) throw new Error(`secretReplicaWaitScript: ${params.host} is in ${params.region}, the secrets' home region; it reads no replica`);
  if (params.secrets.length === 0) throw new Error(`secretReplicaWaitScript: ${params.host} reads no secret; give the secrets it reads`);
  return preflightScript("secret-replicas.sh", {
    PREFLIGHT_HOST: params.host,
    SECRETS_REGION: params.region,
    SECRETS_HOME_REGION: params.homeRegion,
    SECRET_VERSIONS: params.secrets.map((s) => `${s.name}=${s.versionId}`).join(" "),
    WAIT_SECONDS: params.waitSeconds,
    POLL_SECONDS: params.pollSeconds,
  });
}
