/**
 * The Route53 rules the fixed-role failover design relies on (domain/routingHealth.ts cites
 * each): disabled counts as healthy, disabled + inverted as unhealthy, a failover name answers
 * PRIMARY unless it is unhealthy and SECONDARY healthy, both unhealthy answers PRIMARY.
 */
import { describe, expect, it } from "vitest";
import {
  answeringRole,
  failoverAnswer,
  failoverTypeOf,
  forcedUnhealthyRole,
  isForcedUnhealthy,
  routingCheckHealthy,
  routingCheckState,
  routingUpdateOrder,
  type RegionRole,
  type RoutingCheckState,
} from "../domain/routingHealth";
import { perRole } from "../domain/topology";

const roles: RegionRole[] = ["primary", "secondary"];
const follows: RoutingCheckState = { disabled: false, invertHealthcheck: false };
const forced: RoutingCheckState = { disabled: true, invertHealthcheck: true };
const statesFor = (active: RegionRole) => ({ primary: routingCheckState("primary", active), secondary: routingCheckState("secondary", active) });

describe("record roles never follow activeRegion", () => {
  it("the primary region's record is PRIMARY and the secondary's SECONDARY, whichever is active", () => {
    expect(roles.map(failoverTypeOf)).toEqual(["PRIMARY", "SECONDARY"]);
  });

  it("refuses anything but a region role, naming the argument and what is allowed", () => {
    expect(() => failoverTypeOf("tertiary" as RegionRole)).toThrow('role: "tertiary" is not a region role; use primary or secondary');
    expect(() => routingCheckState("primary", "east" as RegionRole)).toThrow('activeRole: "east" is not a region role; use primary or secondary');
  });
});

describe("routing check states", () => {
  it.each(roles)("with %s active, only the other role's check is disabled + inverted", (active) => {
    const passive = forcedUnhealthyRole(active);
    expect(passive).not.toBe(active);
    expect(routingCheckState(active, active)).toEqual(follows);
    expect(routingCheckState(passive, active)).toEqual(forced);
  });

  it.each([
    // state, endpoint healthy -> Route53's status of the routing check
    [follows, true, true],
    [follows, false, false],
    [forced, true, false],
    [forced, false, false],
    // Disabled alone counts as healthy, whatever the endpoint: never enough to stop traffic.
    [{ disabled: true, invertHealthcheck: false }, false, true],
    [{ disabled: false, invertHealthcheck: true }, true, false],
  ])("%j over an endpoint healthy=%s reports healthy=%s", (state, endpoint, healthy) => {
    expect(routingCheckHealthy(state, endpoint)).toBe(healthy);
  });

  it("only disabled + inverted counts as forced unhealthy", () => {
    expect([forced, follows, { disabled: true, invertHealthcheck: false }].map(isForcedUnhealthy)).toEqual([true, false, false]);
  });
});

describe("Route53's failover answer", () => {
  it.each([
    [true, true, "PRIMARY"],
    [true, false, "PRIMARY"],
    [false, true, "SECONDARY"],
    // "If both primary and secondary are unhealthy, Route 53 returns the primary."
    [false, false, "PRIMARY"],
  ] as const)("PRIMARY healthy=%s, SECONDARY healthy=%s: answers %s", (primary, secondary, answer) => {
    expect(failoverAnswer({ PRIMARY: primary, SECONDARY: secondary })).toBe(answer);
  });

  it.each(roles)("with %s active and its endpoint healthy, DNS answers with it whatever the passive endpoint does", (active) => {
    for (const passiveHealthy of [true, false]) {
      const endpoints = perRole((role) => (role === active ? true : passiveHealthy));
      expect(answeringRole(statesFor(active), endpoints)).toBe(active);
    }
  });

  it("with the active endpoint down, the answer is the primary region (both records unhealthy): no failover without a flip while primary is active", () => {
    expect(answeringRole(statesFor("primary"), { primary: false, secondary: true })).toBe("primary");
    // Secondary active and down: Route53's rule answers with the primary region, the passive one.
    expect(answeringRole(statesFor("secondary"), { primary: true, secondary: false })).toBe("primary");
  });
});

describe("flip order", () => {
  it.each(roles)("a flip to %s writes the newly active side's check first, and no step has both sides forced unhealthy", (to) => {
    const from = forcedUnhealthyRole(to);
    const order = routingUpdateOrder(to);
    expect(order).toEqual([to, from]);
    const states = statesFor(from);
    const seen: Record<RegionRole, RoutingCheckState>[] = [{ ...states }];
    for (const role of order) {
      states[role] = routingCheckState(role, to);
      seen.push({ ...states });
    }
    expect(seen.at(-1)).toEqual(statesFor(to));
    for (const step of seen) expect(isForcedUnhealthy(step.primary) && isForcedUnhealthy(step.secondary), JSON.stringify(step)).toBe(false);
    // With both endpoints healthy, each step answers with the old or the new active region, never anything else.
    expect(seen.map((step) => answeringRole(step, { primary: true, secondary: true }))).toEqual(
      to === "secondary" ? ["primary", "primary", "secondary"] : ["secondary", "primary", "primary"],
    );
  });
});
