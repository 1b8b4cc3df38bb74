/**
 * The `Promotion` component under the mock engine: what the local command runs, with which
 * environment, and what makes it run again. The script itself is tested against real
 * PostgreSQL in test/postgres/promotion.test.ts.
 */
import * as command from "@pulumi/command";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultPromotionTimings, Promotion, promoteInterpreter, promoteScriptPath, promotionSettings, promotionTriggers, type PromotionSite } from "../components/promotion";
import { defaultHostPaths } from "../components/databaseHost/hostFiles";
import { defaultLeaseTimings, leaseWaitSeconds } from "../domain/lease";
import { evaluate, secretMarker, type Evaluation } from "../tools/offline";

const site = (role: "primary" | "secondary", host: string, password: string): PromotionSite => ({
  role,
  region: role === "primary" ? "us-east-1" : "us-west-2",
  database: { pgHost: host, pgPort: role === "primary" ? 5432 : 6432, database: "crazy_gary", adminUser: "postgres" },
  adminPassword: password,
});
const target = site("secondary", "db-usw2.example.net", "target-password-123");
const previous = site("primary", "db-use1.example.net", "previous-password-456");

let evaluation: Promise<Evaluation> | undefined;
const evaluatePromotion = () =>
  (evaluation ??= evaluate(
    async () => {
      const provider = new command.Provider("command");
      new Promotion("promotion", { provider, target, previous, fenceTimeoutSeconds: 15 });
      return {};
    },
    { stack: "test" },
  ));
const promoteCommand = async () => (await evaluatePromotion()).resources.find((r) => r.type === "command:local:Command")!;

/** Every variable promote.sh's contract names, from its header. */
const contractVariables = ["NEW_PRIMARY_HOST", "NEW_PRIMARY_PORT", "NEW_PRIMARY_DATABASE", "NEW_PRIMARY_USER", "OLD_PRIMARY_HOST", "OLD_PRIMARY_PORT", "OLD_PRIMARY_DATABASE", "OLD_PRIMARY_USER"];

describe("Promotion", () => {
  it("runs the repository's promote.sh text under bash -c, as the Promotion's child, on the command provider", async () => {
    const cmd = await promoteCommand();
    const evaluationResult = await evaluatePromotion();
    const parent = evaluationResult.resources.find((r) => r.urn === cmd.parent);
    expect(cmd.name).toBe("promotion-promote");
    expect(parent?.type).toBe("crazygary:dr:Promotion");
    expect(cmd.provider).toContain("pulumi:providers:command::command");
    expect(cmd.inputs.create).toBe(readFileSync(promoteScriptPath, "utf8"));
    expect(cmd.inputs.create).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(cmd.inputs.interpreter).toEqual(["/bin/bash", "-c"]);
    expect(promoteInterpreter).toEqual(["/bin/bash", "-c"]);
    expect(cmd.inputs.addPreviousOutputInEnv).toBe(false);
  });

  it("passes every connection setting through the environment, passwords as secrets", async () => {
    const cmd = await promoteCommand();
    expect(cmd.inputs.environment).toEqual({
      NEW_PRIMARY_HOST: "db-usw2.example.net",
      NEW_PRIMARY_PORT: "6432",
      NEW_PRIMARY_DATABASE: "crazy_gary",
      NEW_PRIMARY_USER: "postgres",
      NEW_PRIMARY_PASSWORD: secretMarker,
      OLD_PRIMARY_HOST: "db-use1.example.net",
      OLD_PRIMARY_PORT: "5432",
      OLD_PRIMARY_DATABASE: "crazy_gary",
      OLD_PRIMARY_USER: "postgres",
      OLD_PRIMARY_PASSWORD: secretMarker,
      FENCE_TIMEOUT_SECONDS: "15",
      CATCH_UP_TIMEOUT_SECONDS: "300",
      LEASE_WAIT_SECONDS: "90",
      FENCE_COMMAND: "/opt/crazy-gary/dr/bin/fence.sh",
      TARGET_REGION: "secondary (us-west-2)",
      OLD_REGION: "primary (us-east-1)",
      PGSSLMODE: "require",
    });
    for (const name of contractVariables) expect(readFileSync(promoteScriptPath, "utf8")).toContain(name);
  });

  it("puts no password anywhere but the secret environment entries", async () => {
    const cmd = await promoteCommand();
    const visible = JSON.stringify({ ...cmd.inputs, environment: undefined }) + JSON.stringify(cmd.inputs.environment);
    expect(visible).not.toContain("target-password-123");
    expect(visible).not.toContain("previous-password-456");
  });

  it("runs again only when the newly active role or its region changes", async () => {
    const cmd = await promoteCommand();
    expect(cmd.inputs.triggers).toEqual(["secondary", "us-west-2"]);
    expect(promotionTriggers({ role: "primary", region: "us-east-1" })).toEqual(["primary", "us-east-1"]);
  });

  it("waits for the catch-up up to the runbook's database RPO, and waits out the hosts' default lease: 60 + 2 x 10 + 10 s", () => {
    expect(defaultPromotionTimings.catchUpTimeoutSeconds).toBe(5 * 60);
    expect(defaultPromotionTimings.lease).toBe(defaultLeaseTimings);
    expect(leaseWaitSeconds(defaultLeaseTimings)).toBe(90);
    expect(defaultPromotionTimings.fenceCommand).toBe(`${defaultHostPaths.binDir}/fence.sh`);
    const shorter = promotionSettings(target, previous, { ...defaultPromotionTimings, lease: { leaseSeconds: 30, checkIntervalSeconds: 5, fenceTimeoutSeconds: 5 } }, "require");
    expect(shorter.LEASE_WAIT_SECONDS).toBe("45");
  });

  it.each([
    [{ fenceTimeoutSeconds: 0 }, "Promotion fenceTimeoutSeconds: 0 is not allowed; use whole seconds from 1 to 600"],
    [{ fenceTimeoutSeconds: 601 }, "Promotion fenceTimeoutSeconds: 601 is not allowed; use whole seconds from 1 to 600"],
    [{ fenceTimeoutSeconds: 2.5 }, "Promotion fenceTimeoutSeconds: 2.5 is not allowed; use whole seconds from 1 to 600"],
    [{ catchUpTimeoutSeconds: 0 }, "Promotion catchUpTimeoutSeconds: 0 is not allowed; use whole seconds from 1 to 3600"],
    [{ lease: { leaseSeconds: 10, checkIntervalSeconds: 7, fenceTimeoutSeconds: 10 } }, "lease checkIntervalSeconds: 7 is not allowed; use a whole divisor of 60"],
    [{ lease: { leaseSeconds: 10, checkIntervalSeconds: 10, fenceTimeoutSeconds: 10 } }, "lease leaseSeconds: 10 is not allowed; use at least twice checkIntervalSeconds (20)"],
    [{ fenceCommand: "" }, 'Promotion fenceCommand: "" is not allowed'],
  ])("refuses %j", (change, message) => {
    expect(() => promotionSettings(target, previous, { ...defaultPromotionTimings, ...change }, "require")).toThrow(message);
  });

  it("refuses a target and previous site of the same role", () => {
    expect(() => promotionSettings(target, target, defaultPromotionTimings, "require")).toThrow(
      'Promotion target.role and previous.role: both are "secondary"; the previous site must be the other region role',
    );
  });
});
