/**
 * The CrossGuard pack: `pulumi preview --policy-pack policies`. This file only assembles it;
 * the rules live in one module per family (rpo, retention, protection, failover, coverage).
 * Never import this file from a test or a tool: `new PolicyPack` starts a gRPC server.
 */
import { PolicyPack } from "@pulumi/policy";
import { createPolicies, packName } from "./policies";

new PolicyPack(packName, {
  description: "Disaster-recovery guarantees of the Crazy-Gary runbook: RPO, retention, protection of the backups, DNS failover and alarm coverage.",
  enforcementLevel: "mandatory",
  policies: createPolicies(),
});
