/**
 * `Promotion`: the database step of a region flip (runbook "Multi-Region Failover":
 * "Promote secondary database"). A local command, run from where `pulumi up` runs, executes
 * `components/promotion/promote.sh`: fence the old primary when reachable (its host's
 * fence.sh, run by its server) and wait until the standby has replayed its final WAL, or
 * wait out the old primary's lease when it is unreachable; promote the newly active region's
 * standby, verify it accepts writes; a no-op when that is already done; refuses a split
 * brain. See the script's header for its contract.
 *
 * It runs when the active region changes (its `triggers`), not on every `pulumi up`. Its
 * name never depends on `activeRegion`, so a flip replaces the command in place (same URN):
 * that replacement IS the run.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { repositoryPath } from "../repositoryFiles";
import { defaultLeaseTimings, leaseWaitSeconds, type LeaseTimings } from "../../domain/lease";
import { recoveryObjectives } from "../../domain/runbook";
import type { DatabaseHostAddress, RegionRole } from "../../domain/topology";
import { defaultHostPaths } from "../databaseHost/hostFiles";

export const promotionType = "crazygary:dr:Promotion";

/** The promote script, a real file in the repository (shellchecked, tested against PostgreSQL 15). */
export const promoteScriptPath = repositoryPath("components", "promotion", "promote.sh");

/** The script's text. It is passed as the command itself, so it runs the same from any working directory. */
export const readPromoteScript = (): string => readFileSync(promoteScriptPath, "utf8");

/**
 * The script runs under bash (it uses bash arrays and `[[ ]]`), given as `bash -c <script>`:
 * the command line holds the script's text and nothing else, no setting and no secret.
 */
export const promoteInterpreter = Object.freeze(["/bin/bash", "-c"]);

/** One side of the flip: a region role with its database. */
export interface PromotionSite {
  /** The region role. */
  role: RegionRole;
  /** The region code, used in the script's messages. */
  region: string;
  /** How to reach the site's PostgreSQL from where `pulumi up` runs. */
  database: Pick<DatabaseHostAddress, "pgHost" | "pgPort" | "database" | "adminUser">;
  /** The admin user's password; passed to the script only through its environment, as a secret. */
  adminPassword: pulumi.Input<string>;
}

export interface PromotionArgs {
  /** The `@pulumi/command` provider. */
  provider: command.Provider;
  /** The newly active site: its database is promoted if it is a standby. */
  target: PromotionSite;
  /** The site that stops being active: its database is fenced if it is a reachable primary. */
  previous: PromotionSite;
  /**
   * Whole seconds that probing the old primary may take, and again fencing it (also the
   * connect timeout for both sides), 1 to 600. A flip must meet the database's 15-minute RTO even when the
   * old region hangs instead of refusing connections.
   * @default 10 (promote.sh's own default)
   */
  fenceTimeoutSeconds?: number;
  /**
   * Whole seconds the standby may take to replay the fenced old primary's final WAL position
   * before it is promoted, 1 to 3600; past it nothing is promoted (the old side stays fenced).
   * @default 300 (the runbook's database RPO, 5 minutes)
   */
  catchUpTimeoutSeconds?: number;
  /**
   * The old primary's lease, as its host runs it (lease.sh); promote.sh waits
   * `leaseWaitSeconds(lease)` before promoting when the old primary is unreachable.
   * Give the same value as the hosts' `lease`.
   * @default defaultLeaseTimings (domain/lease.ts): 60 + 2 x 10 + 10 = 90 s
   */
  lease?: LeaseTimings;
  /**
   * The command the old primary's server runs (as the postgres OS user, `COPY ... TO PROGRAM`)
   * to fence itself: the host's fence.sh.
   * @default "/opt/crazy-gary/dr/bin/fence.sh" (`defaultHostPaths.binDir`, where DatabaseHost installs it)
   */
  fenceCommand?: string;
  /**
   * Resources the promotion waits for: the active-region parameter in the previous region, so
   * that its primary's lease reads the flip (and fences it) before promote.sh can give up on
   * reaching it and wait the lease out. In a region outage that write fails, and so does the
   * promotion: see docs/runbooks/failover-database.md "Region down".
   * @default []
   */
  after?: pulumi.Resource[];
  /**
   * libpq `sslmode` for both connections.
   * @default "require" (the same as the stack's PostgreSQL providers)
   */
  sslMode?: "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";
}

/** promote.sh's timings and fence command, every default applied. */
export interface PromotionTimings {
  fenceTimeoutSeconds: number;
  catchUpTimeoutSeconds: number;
  lease: LeaseTimings;
  fenceCommand: string;
}

/** The defaults of {@link PromotionArgs}' timings and fence command. */
export const defaultPromotionTimings: Readonly<PromotionTimings> = Object.freeze({
  fenceTimeoutSeconds: 10,
  catchUpTimeoutSeconds: recoveryObjectives.database.rpoMinutes! * 60,
  lease: defaultLeaseTimings,
  fenceCommand: `${defaultHostPaths.binDir}/fence.sh`,
});

/**
 * The script's environment, without the passwords: the connection settings of both sides,
 * the timeouts, the lease wait, the fence command, region labels for messages, and
 * `PGSSLMODE` (see promote.sh's header).
 */
export function promotionSettings(
  target: Omit<PromotionSite, "adminPassword">,
  previous: Omit<PromotionSite, "adminPassword">,
  timings: PromotionTimings,
  sslMode: string,
): Record<string, string> {
  const { fenceTimeoutSeconds, catchUpTimeoutSeconds } = timings;
  if (!Number.isInteger(fenceTimeoutSeconds) || fenceTimeoutSeconds < 1 || fenceTimeoutSeconds > 600) {
    throw new Error(`Promotion fenceTimeoutSeconds: ${fenceTimeoutSeconds} is not allowed; use whole seconds from 1 to 600`);
  }
  if (!Number.isInteger(catchUpTimeoutSeconds) || catchUpTimeoutSeconds < 1 || catchUpTimeoutSeconds > 3600) {
    throw new Error(`Promotion catchUpTimeoutSeconds: ${catchUpTimeoutSeconds} is not allowed; use whole seconds from 1 to 3600`);
  }
  if (!/^\S.*$/.test(timings.fenceCommand)) {
    throw new Error(`Promotion fenceCommand: ${JSON.stringify(timings.fenceCommand)} is not allowed; give one line naming the host's fence.sh`);
  }
  if (target.role === previous.role) {
    throw new Error(`Promotion target.role and previous.role: both are "${target.role}"; the previous site must be the other region role`);
  }
  const side = (prefix: string, site: Omit<PromotionSite, "adminPassword">) => ({
    [`${prefix}_HOST`]: site.database.pgHost,
    [`${prefix}_PORT`]: String(site.database.pgPort),
    [`${prefix}_DATABASE`]: site.database.database,
    [`${prefix}_USER`]: site.database.adminUser,
  });
  return {
    ...side("NEW_PRIMARY", target),
    ...side("OLD_PRIMARY", previous),
    FENCE_TIMEOUT_SECONDS: String(fenceTimeoutSeconds),
    CATCH_UP_TIMEOUT_SECONDS: String(catchUpTimeoutSeconds),
    LEASE_WAIT_SECONDS: String(leaseWaitSeconds(timings.lease)),
    FENCE_COMMAND: timings.fenceCommand,
    TARGET_REGION: `${target.role} (${target.region})`,
    OLD_REGION: `${previous.role} (${previous.region})`,
    PGSSLMODE: sslMode,
  };
}

/** What makes the promotion run again: the newly active role and its region code. */
export const promotionTriggers = (target: Pick<PromotionSite, "role" | "region">): string[] => [target.role, target.region];

export class Promotion extends pulumi.ComponentResource {
  /** The local command; records that must wait for the promotion depend on it. */
  readonly command: command.local.Command;
  /** The script's output of its last run (states of both sides, what it did). */
  readonly stdout: pulumi.Output<string>;

  constructor(name: string, args: PromotionArgs, opts?: pulumi.ComponentResourceOptions) {
    super(promotionType, name, {}, opts);
    const timings: PromotionTimings = {
      fenceTimeoutSeconds: args.fenceTimeoutSeconds ?? defaultPromotionTimings.fenceTimeoutSeconds,
      catchUpTimeoutSeconds: args.catchUpTimeoutSeconds ?? defaultPromotionTimings.catchUpTimeoutSeconds,
      lease: args.lease ?? defaultPromotionTimings.lease,
      fenceCommand: args.fenceCommand ?? defaultPromotionTimings.fenceCommand,
    };
    const sslMode = args.sslMode ?? "require";
    const settings = promotionSettings(args.target, args.previous, timings, sslMode);

    this.command = new command.local.Command(
      `${name}-promote`,
      {
        create: readPromoteScript(),
        interpreter: [...promoteInterpreter],
        environment: {
          ...settings,
          NEW_PRIMARY_PASSWORD: pulumi.secret(args.target.adminPassword),
          OLD_PRIMARY_PASSWORD: pulumi.secret(args.previous.adminPassword),
        },
        triggers: promotionTriggers(args.target),
        addPreviousOutputInEnv: false,
      },
      { parent: this, provider: args.provider, dependsOn: [...(args.after ?? [])] },
    );
    this.stdout = this.command.stdout;

    this.registerOutputs({ stdout: this.stdout });
  }
}
