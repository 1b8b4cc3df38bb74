/**
 * `PatroniFlip`: the database step of a region flip (runbook "Multi-Region Failover": "Promote
 * secondary database"), as ONE local command, `patroni-flip-command`, run where `pulumi up`
 * runs. It talks to the newly active (candidate) region's Patroni REST API only, never to the
 * region it leaves (DESIGN invariant 7):
 *
 * 1. `GET https://<candidate pgHost>:<restApiPort>/cluster`, decided by `decideFlip`
 *    (domain/patroniFlip.ts): already leader -> done; candidate still `nofailover` or not
 *    running, or (regionDown) the old leader's lock not yet expired -> wait and re-read;
 * 2. both regions up: `POST /switchover {leader, candidate}` (basic auth): the old leader is
 *    demoted and its last WAL replayed before the candidate is promoted, zero commits lost;
 *    `regionDown` set: `POST /failover {candidate}`, refused (nothing promoted) when the
 *    candidate lags the lost leader by more than `maxLagBytes` (or by an unknown amount),
 *    unless `force` (`patroni.forceFailover`); an old leader that keeps its lock past
 *    ttl + loop_wait has come back, and then it is a switchover after all;
 * 3. `GET /cluster` until the candidate is the running leader, then `GET /primary` until it
 *    answers 200 AND its body says PostgreSQL left recovery (`role` master/primary, `state`
 *    running): Patroni 3.0.2 answers 200 once it holds the lock, before the promotion ends (run.ts).
 * Rerunning it is safe: a candidate that already leads is a no-op; a refused failover stays
 * refused until forced. The program is ./run.ts. It verifies the candidate's certificate against
 * the stack's Patroni CA (`PatroniTls`, passed as FLIP_CA_PEM) before it sends the REST password.
 *
 * It runs when its triggers change (the active role and its region, regionDown, force), not on
 * every `pulumi up`. Its name never depends on `activeRegion`: a flip replaces the command in
 * place (same URN), and that replacement IS the run.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { RegionRole } from "../../domain/topology";

export const patroniFlipType = "crazygary:dr:PatroniFlip";

/** The command line: the program through ts-node (a dependency; Pulumi's Node runner loads the program the same way), from the project folder (where `pulumi up` runs). */
export const flipCommandLine = "node -r ts-node/register/transpile-only ./components/patroniFlip/run.ts";

export interface PatroniFlipArgs {
  /** The `@pulumi/command` provider. */
  provider: command.Provider;
  /** The newly active region: its role, its region code (the Patroni member name) and its Patroni REST address. */
  candidate: {
    role: RegionRole;
    /** Region code, the member's name. @example "us-west-2" */
    member: string;
    /** Host of its REST API (the region's `databases.<role>.pgHost`). */
    host: string;
    /** REST API port. @default 8008 (`patroni.restApiPort`) */
    port: number;
  };
  /** `regionDown` is set: a failover (RPO-checked) instead of a switchover. @default false */
  regionDown?: boolean;
  /** Most bytes the candidate may lag the lost leader in a failover. @default none; the stack passes `maximumLagOnFailoverBytes(rpo)` (335544320 at 5 min) */
  maxLagBytes: number;
  /** `patroni.forceFailover`: fail over past `maxLagBytes`. @default false */
  force?: boolean;
  /** Seconds the flip may take before it gives up (a rerun continues). @default 300 */
  timeoutSeconds?: number;
  /**
   * Seconds a lost leader's lock can still show in etcd: Patroni's ttl + loop_wait. With
   * regionDown, an old leader still holding its lock after this has come back, and the flip
   * switches over (zero loss) instead of waiting.
   * @default 40 (ttl 30 + loop_wait 10)
   */
  lockWaitSeconds?: number;
  /** REST API basic-auth user. @default "patroni" */
  restApiUser?: string;
  /** REST API basic-auth password (a Pulumi secret; passed only through the command's environment). */
  restApiPassword: pulumi.Input<string>;
  /** The CA the candidate's REST certificate is signed by (PEM; `PatroniTls.caCertPem`): the flip trusts it alone. */
  caCertPem: pulumi.Input<string>;
  /**
   * Resources the flip waits for: the candidate host's Patroni configuration (which lifts its
   * `nofailover` tag). Never anything of the region being left.
   * @default []
   */
  after?: pulumi.Resource[];
}

/** The command's environment without the password. */
export function flipEnvironment(args: Omit<PatroniFlipArgs, "provider" | "restApiPassword" | "caCertPem" | "after">): Record<string, string> {
  const { candidate } = args;
  const timeout = args.timeoutSeconds ?? 300;
  if (!Number.isInteger(timeout) || timeout < 10 || timeout > 3600) throw new Error(`PatroniFlip timeoutSeconds: ${timeout} is not allowed; use whole seconds from 10 to 3600`);
  if (!Number.isInteger(args.maxLagBytes) || args.maxLagBytes < 0) throw new Error(`PatroniFlip maxLagBytes: ${args.maxLagBytes} is not allowed; use whole bytes >= 0`);
  return {
    FLIP_API_URL: `https://${candidate.host}:${candidate.port}`,
    FLIP_CANDIDATE: candidate.member,
    FLIP_REGION_DOWN: String(args.regionDown ?? false),
    FLIP_MAX_LAG_BYTES: String(args.maxLagBytes),
    FLIP_FORCE: String(args.force ?? false),
    FLIP_TIMEOUT_SECONDS: String(timeout),
    FLIP_LOCK_WAIT_SECONDS: String(args.lockWaitSeconds ?? 40),
    PATRONI_RESTAPI_USERNAME: args.restApiUser ?? "patroni",
  };
}

/** What makes the flip run again. */
export const flipTriggers = (args: Pick<PatroniFlipArgs, "candidate" | "regionDown" | "force">): string[] => [
  args.candidate.role,
  args.candidate.member,
  `regionDown=${args.regionDown ?? false}`,
  `force=${args.force ?? false}`,
];

export class PatroniFlip extends pulumi.ComponentResource {
  /** The local command; what must wait for the flip depends on it. */
  readonly command: command.local.Command;
  /** The flip's output of its last run. */
  readonly stdout: pulumi.Output<string>;

  constructor(name: string, args: PatroniFlipArgs, opts?: pulumi.ComponentResourceOptions) {
    super(patroniFlipType, name, {}, opts);
    this.command = new command.local.Command(
      `${name}-command`,
      {
        create: flipCommandLine,
        environment: { ...flipEnvironment(args), FLIP_CA_PEM: args.caCertPem, PATRONI_RESTAPI_PASSWORD: pulumi.secret(args.restApiPassword) },
        triggers: flipTriggers(args),
        addPreviousOutputInEnv: false,
      },
      { parent: this, provider: args.provider, dependsOn: [...(args.after ?? [])] },
    );
    this.stdout = this.command.stdout;
    this.registerOutputs({ stdout: this.stdout });
  }
}
