/**
 * `ActiveRegionParameter`: an SSM String parameter `/crazy-gary/<environment>/active-region`
 * in every region, holding the active region's code, so the applications in either region
 * can tell whether theirs is the active region without reading stack config (which database
 * leads is Patroni's to say, not this parameter's). One parameter per
 * region role (named by role, never by active/passive): a flip changes only their value.
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { activeRegionParameterName } from "../domain/activeRegionParameter";
import { perRole, type RegionRole } from "../domain/topology";

export { activeRegionParameterName };

export const activeRegionParameterType = "crazygary:dr:ActiveRegionParameter";

export interface ActiveRegionParameterArgs {
  /** Environment name; the parameter is `/crazy-gary/<environment>/active-region`. */
  environment: string;
  /** The active region's code, the parameter's value (e.g. `us-east-1`). */
  activeRegionCode: string;
  /** One AWS provider per region role; the parameter is written in each of these regions. */
  providers: Record<RegionRole, aws.Provider>;
}

export class ActiveRegionParameter extends pulumi.ComponentResource {
  /** The parameter per region role. */
  readonly parameters: Record<RegionRole, aws.ssm.Parameter>;
  /** The parameter's name (the same in every region). */
  readonly parameterName: string;

  constructor(name: string, args: ActiveRegionParameterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(activeRegionParameterType, name, {}, opts);
    this.parameterName = activeRegionParameterName(args.environment);
    this.parameters = perRole(
      (role) =>
        new aws.ssm.Parameter(
          `${name}-${role}`,
          {
            name: this.parameterName,
            type: "String",
            // `insecureValue`: a region code is no secret, and the flip's preview must show it
            // (`value` is always stored as a secret).
            insecureValue: args.activeRegionCode,
            description: "Region code of the active Crazy-Gary region; changed by the stack's activeRegion flip (docs/runbooks/failover.md).",
          },
          { parent: this, provider: args.providers[role] },
        ),
    );

    this.registerOutputs({ parameterName: this.parameterName });
  }
}
