/**
 * `EtcdWitness`: the third etcd member, on a host in the witness region that runs nothing else
 * (this stack does not create the host; it configures it over SSH with `@pulumi/command` remote
 * commands, as `DatabaseHost` does). With one member per region, losing any one region leaves two
 * of three members, a quorum (domain/etcd.ts).
 *
 * 1. `<name>-tls` writes the member's CA, certificate and key (its script is a Pulumi secret);
 * 2. `<name>-files` writes the member's config and the drop-in for Debian's etcd.service
 *    (components/etcdMemberFiles.ts, the same files a database host's member gets);
 * 3. `<name>-start` loads the drop-in, enables etcd and restarts it without waiting for the
 *    quorum, then waits, at most `healthTimeoutSeconds`, until the member is healthy over TLS.
 *    It runs again when the config, the drop-in or the CA change; a renewed member certificate
 *    is picked up by etcd on its next connection without a restart.
 *
 * A restart takes this member out for a moment: with one database region down at the same time,
 * etcd has no quorum until it is back and Patroni's leader demotes (its lock cannot be renewed).
 * Change the witness's settings while both database regions are up.
 *
 * Nothing on a flip's path waits for this component: a flip needs the quorum, not a deploy of
 * the witness (DESIGN invariant 7). Removing it from the stack leaves etcd running on the host
 * (no delete command): stopping a member is a decision for a person, not a side effect.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { defaultEtcdSettings } from "../domain/etcd";
import { installFilesScript, sha256, type HostConnection } from "./databaseHost";
import { AS_ROOT, sshConnection } from "./sshConnection";
import {
  etcdHealthScript,
  etcdMemberFiles,
  etcdStartScript,
  etcdTlsFiles,
  type EtcdHostPaths,
  type EtcdMemberFilesParams,
} from "./etcdMemberFiles";

export const etcdWitnessType = "crazygary:dr:EtcdWitness";

export interface EtcdWitnessArgs {
  /** The `@pulumi/command` provider. */
  provider: command.Provider;
  /** How the commands reach the witness host over SSH (`witness.sshHost`, `sshUser`, `sshPort`; the key is a Pulumi secret). */
  connection: HostConnection;
  /**
   * The etcd cluster and this member: every member (the database hosts' and this one), this
   * member's name (the witness region's code), the cluster token and the timings.
   */
  etcd: Omit<EtcdMemberFilesParams, "paths">;
  /** The member's TLS: the CA certificate, its own certificate and key (PEM; from `PatroniTls`). */
  tls: { caCertPem: pulumi.Input<string>; certPem: pulumi.Input<string>; keyPem: pulumi.Input<string> };
  /** Host paths. @default `defaultEtcdHostPaths` (components/etcdMemberFiles.ts) */
  paths?: Partial<EtcdHostPaths>;
  /** Seconds the start step waits for the member to be healthy (a first member also waits for a second one). @default 600 */
  healthTimeoutSeconds?: number;
}

export class EtcdWitness extends pulumi.ComponentResource {
  /** The member's rendered non-secret files. */
  readonly files: ReturnType<typeof etcdMemberFiles>;
  /** The last start's output (`endpoint health`). */
  readonly startStdout: pulumi.Output<string>;

  constructor(name: string, args: EtcdWitnessArgs, opts?: pulumi.ComponentResourceOptions) {
    super(etcdWitnessType, name, {}, opts);
    // Every input is checked here, before any resource is declared.
    this.files = etcdMemberFiles({ ...args.etcd, paths: args.paths });
    const settings = args.etcd.settings;
    const healthScript = etcdHealthScript({ member: args.etcd.self, clientPort: (settings ?? defaultEtcdSettings).clientPort, timeoutSeconds: args.healthTimeoutSeconds, paths: args.paths });
    const startScript = `${etcdStartScript(args.paths)}${healthScript}`;

    const connection = sshConnection(args.connection);
    const child = { parent: this, provider: args.provider };
    const asRoot = AS_ROOT;

    const pems = pulumi.all([args.tls.caCertPem, args.tls.certPem, args.tls.keyPem]);
    const tlsScript = pulumi.secret(pems.apply(([caCertPem, certPem, keyPem]) => installFilesScript(etcdTlsFiles(args.paths, { caCertPem, certPem, keyPem }))));
    const tls = new command.remote.Command(`${name}-tls`, { connection, create: asRoot, stdin: tlsScript, triggers: [pulumi.secret(tlsScript.apply(sha256))] }, child);

    const filesScript = installFilesScript(this.files);
    const files = new command.remote.Command(`${name}-files`, { connection, create: asRoot, stdin: filesScript, triggers: [sha256(filesScript)] }, child);

    const restartInputs = pulumi.output(args.tls.caCertPem).apply((ca) => sha256([startScript, filesScript, ca].join("\n")));
    const start = new command.remote.Command(`${name}-start`, { connection, create: asRoot, stdin: startScript, triggers: [restartInputs] }, { ...child, dependsOn: [tls, files] });

    this.startStdout = start.stdout;
    this.registerOutputs({ startStdout: this.startStdout });
  }
}
