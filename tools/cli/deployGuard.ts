/**
 * `npm run deploy:guard -- --stack NAME (--cluster FILE | --never-deployed)`: run by pulumi-up.yml
 * before `pulumi up`; exits 1 when the commit would change the region of Patroni's leader
 * (domain/deployGuard.ts, domain/flipState.ts).
 */
import { activeRole } from "../../domain/activeRegion";
import { activeRegionChangeRefusal, type DeployedLeader } from "../../domain/deployGuard";
import { ClusterStatusError, leaderOf } from "../../domain/flipState";
import { parseStackConfig, StackConfigError } from "../../infra/parseConfig";
import { loadStackConfig, StackFileError } from "../offline/stackFiles";
import { parseFlags, runCli, UsageError } from "./args";
import { readClusterStatus } from "./clusterInput";
import { deployGuardCommand } from "./commands";
import { fitText, terminalOf } from "./terminal";

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), deployGuardCommand);
    if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; use --stack NAME --cluster FILE`);
    const stack = flags.values.stack?.[0];
    const cluster = flags.values.cluster?.[0];
    const neverDeployed = flags.switches.has("never-deployed");
    if (!stack) throw new UsageError("--stack: required; e.g. npm run deploy:guard -- --stack prod --cluster cluster.json");
    if ((cluster === undefined) === !neverDeployed) throw new UsageError("--cluster FILE or --never-deployed: give exactly one (Patroni's GET /cluster body, or a stack never updated)");
    // The schema's own reading of activeRegion: its default, and its error for a value that is no role.
    const config = parseStackConfig(loadStackConfig(stack));
    const committed = activeRole(config);
    let deployed: DeployedLeader = { kind: "never-deployed" };
    if (cluster !== undefined) {
      const leader = leaderOf(readClusterStatus(cluster), config.regions);
      deployed = leader ? { kind: "leader", leader } : { kind: "no-leader" };
    }
    const refusal = activeRegionChangeRefusal({ stack, committed, deployed });
    if (refusal) {
      // A paragraph for a person at a terminal (or a CI log): fitted to its width.
      process.stderr.write(`${fitText(refusal, terminalOf(process.stderr))}\n`);
      return 1;
    }
    process.stdout.write(deployed.kind === "never-deployed" ? `${stack}: never updated; activeRegion ${committed}\n` : `${stack}: activeRegion stays ${committed} (Patroni's leader)\n`);
    return 0;
  },
  (err) => err instanceof StackFileError || err instanceof StackConfigError || err instanceof ClusterStatusError,
  deployGuardCommand,
);
