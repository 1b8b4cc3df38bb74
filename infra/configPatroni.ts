/**
 * The stack config keys of the failover engine (issue #21): the witness host, Patroni's
 * settings and etcd's. The rules live in domain/patroni.ts and domain/etcd.ts (with their
 * sources); these schemas apply them and name the key, the value and what is allowed.
 */
import { z } from "zod";
import { defaultEtcdSettings, etcdSettingsProblems } from "../domain/etcd";
import { crossFieldIssue } from "./configMessages";
import { pemPrivateKey } from "./configFields";
import { DEFAULT_REST_API_PORT, defaultPatroniTimings, patroniTimingMinimums, patroniTimingProblem } from "../domain/patroni";

const port = z.number().int().min(1).max(65535);

/** The witness region's host: declared like a database host, but it runs etcd only. */
export const witnessHost = z.strictObject({
  sshHost: z.string().min(1, { message: "is empty; use the host's SSH address, e.g. witness-use2.crazy-gary.internal" }).meta({ examples: ["witness-use2.crazy-gary.internal"] }).describe("SSH address of the host, where `pulumi up` connects to configure it."),
  sshUser: z.string().min(1).default("admin").describe("SSH user; needs password-less `sudo`."),
  sshPort: port.default(22).describe("SSH port."),
  etcdHost: z.string().min(1, { message: "is empty; use the address the database hosts reach this host's etcd at, e.g. witness-use2.crazy-gary.internal" }).meta({ examples: ["witness-use2.crazy-gary.internal"] }).describe("Address the database hosts' Patroni and etcd reach this host's etcd member at: an IP address or a DNS name, which the witness's certificate names (an IP SAN or a DNS SAN)."),
});

export const witnessSecret = z.strictObject({
  sshPrivateKey: pemPrivateKey.describe("PEM private key of `witness.sshUser` on the witness host."),
});

const seconds = (minimum: number) => z.number().int().min(minimum, { message: `is below Patroni's minimum; use ${minimum} or more` });
const timingKeys = [["ttl"], ["loopWait"], ["retryTimeout"]];

const patroniDefaults = {
  ...defaultPatroniTimings,
  restApiPort: DEFAULT_REST_API_PORT,
  automaticCrossRegionFailover: false,
  forceFailover: false,
};

export const patroniSettings = z
  .strictObject({
    ttl: seconds(patroniTimingMinimums.ttl).default(defaultPatroniTimings.ttl).describe("Leader-lock TTL, in seconds: a primary cut off from the etcd quorum stops accepting writes within it."),
    loopWait: seconds(patroniTimingMinimums.loopWait).default(defaultPatroniTimings.loopWait).describe("Seconds between two runs of Patroni's HA loop."),
    retryTimeout: seconds(patroniTimingMinimums.retryTimeout).default(defaultPatroniTimings.retryTimeout).describe("Seconds an etcd or PostgreSQL operation is retried before Patroni counts it failed."),
    restApiPort: port.default(DEFAULT_REST_API_PORT).describe("Port of Patroni's REST API (HTTPS) on each database host's pgHost; Route53 checks `GET /primary` there."),
    automaticCrossRegionFailover: z
      .boolean()
      .default(false)
      .describe(
        "false: the passive region's member carries `nofailover: true`, so losing the primary's region leaves no writable primary until a person flips activeRegion (the runbook's way). " +
          "true: Patroni fails over across regions by itself when the leader's lock expires, to a member at most `maximum_lag_on_failover` bytes behind (the WAL of one RPO at the design peak rate); faster, but it may lose up to that much acknowledged WAL and acts on a network partition too (docs/architecture/README.md).",
      ),
    forceFailover: z
      .boolean()
      .default(false)
      .describe("With regionDown: promote the candidate even when it lags the lost leader by more than the RPO allows (acknowledged commits past its position are lost). Remove it once the flip is done."),
  })
  .superRefine((settings, ctx) => {
    const problem = patroniTimingProblem(settings);
    if (problem) crossFieldIssue(ctx, [], problem, timingKeys);
  })
  .default(patroniDefaults)
  .describe("Patroni, which manages PostgreSQL on every database host (one cluster, a member per region), with `loopWait + 2 x retryTimeout <= ttl`.");

export const etcdSettings = z
  .strictObject({
    heartbeatIntervalMs: z.number().int().positive().default(defaultEtcdSettings.heartbeatIntervalMs).describe("Raft heartbeat interval, in ms: about the round trip between the farthest two members (us-east-1 to us-west-2: about 70 ms)."),
    electionTimeoutMs: z.number().int().positive().default(defaultEtcdSettings.electionTimeoutMs).describe("Raft election timeout, in ms: at least 10 x the round trip and 5 x heartbeatIntervalMs (etcd refuses less), at most 50000."),
    clientPort: port.default(defaultEtcdSettings.clientPort).describe("etcd client port, where Patroni connects."),
    peerPort: port.default(defaultEtcdSettings.peerPort).describe("etcd peer port, where the members replicate."),
  })
  .superRefine((settings, ctx) => {
    for (const { key, message } of etcdSettingsProblems(settings)) crossFieldIssue(ctx, [key], message, Object.keys(settings).filter((k) => k !== key).map((k) => [k]));
  })
  .default({ ...defaultEtcdSettings })
  .describe("etcd v3, Patroni's DCS: one member on each database host and one on the witness host; the same timings on every member.");
