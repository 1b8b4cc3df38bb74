/**
 * `npm run flip:state -- --stack NAME --target ROLE (--describe | --cluster FILE)`: what the
 * failover workflow flips to, and whether the flip is done by Patroni's own account
 * (domain/flipState.ts).
 */
import { ClusterStatusError, flipVerdict } from "../../domain/flipState";
import { healthCheckFqdn, recordShape, slowestFailover, worstCaseDnsFailover } from "../../domain/failoverRouting";
import { hostnameKeys, regionRoles, type RegionRole } from "../../domain/topology";
import type { StackConfig } from "../../infra/config";
import { parseStackConfig, StackConfigError } from "../../infra/parseConfig";
import { loadStackConfig, StackFileError } from "../offline/stackFiles";
import { parseFlags, runCli, UsageError } from "./args";
import { readClusterStatus } from "./clusterInput";
import { flipStateCommand } from "./commands";
import { fitText, terminalOf } from "./terminal";

/** The worst case DNS takes to answer the new leader's region, in seconds (what FailoverDns exports). */
function dnsBudgetSeconds(config: StackConfig): number {
  const timing = { requestIntervalSeconds: config.healthCheck.requestIntervalSeconds, failureThreshold: config.healthCheck.failureThreshold };
  return slowestFailover(
    Object.fromEntries(hostnameKeys.map((key) => [key, worstCaseDnsFailover(timing, regionRoles.map((r) => recordShape(config.endpoints[key][r], config.healthCheck.ttlSeconds)))])),
  );
}

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), flipStateCommand);
    if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; use --stack NAME --target ROLE --describe`);
    const stack = flags.values.stack?.[0];
    const target = flags.values.target?.[0];
    const cluster = flags.values.cluster?.[0];
    const describe = flags.switches.has("describe");
    if (!stack) throw new UsageError("--stack: required; e.g. npm run flip:state -- --stack prod --target secondary --describe");
    if (!regionRoles.includes(target as RegionRole)) throw new UsageError(`--target ${JSON.stringify(target ?? "")}: not a region role; allowed: ${regionRoles.join(", ")}`);
    if ((cluster === undefined) === !describe) throw new UsageError("--describe or --cluster FILE: give exactly one");
    const config = parseStackConfig(loadStackConfig(stack));
    const role = target as RegionRole;
    if (describe) {
      const host = config.databases[role];
      const lines = [
        `target_region=${config.regions[role]}`,
        `target_ssh=${host.sshUser}@${host.sshHost}`,
        `target_ssh_port=${host.sshPort}`,
        ...hostnameKeys.map((key) => `endpoint_${key}=${healthCheckFqdn(config.endpoints[key][role])}`),
        `dns_zone=${config.dnsZone.name.replace(/\.$/, "")}`,
        `dns_budget_seconds=${dnsBudgetSeconds(config)}`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
      return 0;
    }
    const verdict = flipVerdict(readClusterStatus(cluster!), config.regions, role);
    // The key=value lines of --describe are for $GITHUB_OUTPUT and never wrap; a verdict is for a person.
    const stream = verdict.done ? process.stdout : process.stderr;
    stream.write(`${fitText(`${stack}: ${verdict.message}`, terminalOf(stream))}\n`);
    return verdict.done ? 0 : 1;
  },
  (err) => err instanceof StackFileError || err instanceof StackConfigError || err instanceof ClusterStatusError,
  flipStateCommand,
);
