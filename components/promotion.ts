/**
 * `Promotion`: the database step of a region flip (runbook "Multi-Region Failover":
 * "Promote secondary database"). A local command, run from where `pulumi up` runs, executes
 * `components/promotion/promote.sh`: fence the old primary when reachable, promote the newly
 * active region's standby, verify it accepts writes; a no-op when that is already done;
 * refuses a split brain. See the script's header for its contract.
 *
 * It runs when the active region changes (its `triggers`), not on every `pulumi up`. Its
 * name never depends on `activeRegion`, so a flip replaces the command in place (same URN):
 * that replacement IS the run.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { DatabaseHostAddress, RegionRole } from "../domain/topology";

export const promotionType = "crazygary:dr:Promotion";

/** The promote script, a real file in the repository (shellchecked, tested against PostgreSQL 15). */
export const promoteScriptPath = path.join(__dirname, "promotion", "promote.sh");

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
   * libpq `sslmode` for both connections.
   * @default "require" (the same as the stack's PostgreSQL providers)
   */
  sslMode?: "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";
}

/**
 * The script's environment, without the passwords: the connection settings of both sides,
 * the fencing timeout, region labels for messages, and `PGSSLMODE` (see promote.sh's header).
 */
export function promotionSettings(
  target: Omit<PromotionSite, "adminPassword">,
  previous: Omit<PromotionSite, "adminPassword">,
  fenceTimeoutSeconds: number,
  sslMode: string,
): Record<string, string> {
  if (!Number.isInteger(fenceTimeoutSeconds) || fenceTimeoutSeconds < 1 || fenceTimeoutSeconds > 600) {
    throw new Error(`Promotion fenceTimeoutSeconds: ${fenceTimeoutSeconds} is not allowed; use whole seconds from 1 to 600`);
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
    const fenceTimeoutSeconds = args.fenceTimeoutSeconds ?? 10;
    const sslMode = args.sslMode ?? "require";
    const settings = promotionSettings(args.target, args.previous, fenceTimeoutSeconds, sslMode);

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
      { parent: this, provider: args.provider },
    );
    this.stdout = this.command.stdout;

    this.registerOutputs({ stdout: this.stdout });
  }
}
