import { describe, expect, it } from "vitest";
import { activeRegionChangeRefusal, DeployGuardInputError } from "../domain/deployGuard";

describe("activeRegionChangeRefusal: an ordinary deploy never changes the active region", () => {
  it("lets the deploy run when the commit keeps the deployed active region", () => {
    expect(activeRegionChangeRefusal({ stack: "prod", committed: "secondary", deployed: "secondary" })).toBeUndefined();
  });

  it("lets the first deploy of a stack run (no outputs yet)", () => {
    expect(activeRegionChangeRefusal({ stack: "dr", committed: "primary", deployed: "" })).toBeUndefined();
  });

  it("refuses a commit made before a failover, naming both roles, the stack file and the two ways on", () => {
    const refusal = activeRegionChangeRefusal({ stack: "prod", committed: "primary", deployed: "secondary" });
    expect(refusal).toContain("this commit makes primary active in prod, but the stack's last update made secondary active");
    expect(refusal).toContain("Rebase onto main (the failover workflow committed activeRegion: secondary in Pulumi.prod.yaml)");
    expect(refusal).toContain("run the failover workflow with target primary");
  });

  it("refuses a deployed value that is not a region role, naming it and what is allowed", () => {
    expect(() => activeRegionChangeRefusal({ stack: "prod", committed: "primary", deployed: "us-east-1" })).toThrow(DeployGuardInputError);
    expect(() => activeRegionChangeRefusal({ stack: "prod", committed: "primary", deployed: "us-east-1" })).toThrow(
      '--deployed "us-east-1": not a region role; allowed: primary, secondary, or empty for a stack never updated',
    );
  });
});
