/**
 * `DatabaseHost`: configures one region's PostgreSQL host, which this stack does not create,
 * over SSH with `@pulumi/command` remote commands:
 *
 * 0. `<name>-instance-profile` checks, through the instance metadata service, that the EC2
 *    instance carries the stack's instance profile (`DatabaseHostIam`); every other step waits for
 *    it, so a host without it fails here, naming the host, both profiles and the command that
 *    fixes it (preflight/instance-profile.sh);
 * 0b. `<name>-secret-replicas`, on a host outside the secrets' home region only: waits (bounded)
 *    until its region's replica of every secret it reads holds the version `pulumi up` wrote;
 *    configure waits for it (preflight/secret-replicas.sh);
 * 1. `<name>-tls` writes the member's TLS files (CA, certificate, key) twice: Patroni's (the REST
 *    API's HTTPS, its etcd client; key group postgres) and the etcd member's (key group etcd),
 *    its script a Pulumi secret;
 * 2. `<name>-files` writes every other rendered file: Patroni's patroni.yml (this member of the
 *    one cluster, `nofailover` from `patroni.noFailover`), its dynamic configuration, a drop-in
 *    for Debian's patroni.service, the pgBackRest config with both regions' repositories (Patroni's
 *    archive_command, restore_command and replica method), the scripts' settings, the scripts and
 *    the timers' units (see `render.ts`), and the host's etcd member's config and unit drop-in
 *    (components/etcdMemberFiles.ts, the same renderer as the witness's);
 * 2b. `<name>-etcd` (re)starts the etcd member when its config, drop-in or CA change, without
 *    waiting for the quorum (`--no-block`), then waits (bounded) until it is healthy: a first
 *    member needs one other member (the witness, or the other host);
 * 3. `<name>-configure` runs `configure-postgres.sh`: the roles' password file and pg_hba lines,
 *    Patroni's secrets written on the host from Secrets Manager, Patroni started (the first run
 *    adopts the running PostgreSQL) or reloaded, PATCH /config with the dynamic configuration,
 *    and on the leader the heartbeat table, `pgbackrest stanza-create` and `pgbackrest check`;
 * 4. `<name>-timers` reloads systemd and enables the timers (backups, restore test, monitor,
 *    heartbeat on every host; the scripts act on the leader only, as Patroni's GET /primary says).
 *
 * Each command carries a hash of what it installs or reads in `triggers`, so it runs again
 * exactly when its inputs change; each is idempotent. A flip changes `patroni.noFailover` of the
 * passive member only (unless automatic cross-region failover is on), which re-runs 2 and 3 on
 * that host, in place: no name depends on which region is active. The stack orders the
 * candidate's host before the flip (its `nofailover` lifted and reloaded) and the other host
 * after it (infra/stack.ts).
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { defaultEtcdSettings } from "../../domain/etcd";
import { type HostSchedules } from "../../domain/hostSchedules";
import { UNIT_NAMES, defaultHostPaths, type DatabaseHostFilesParams, type HostFile, type HostPatroni, type HostPaths, type HostPostgres } from "./hostFiles";
import { renderHostFiles, renderTlsFiles } from "./render";
import { etcdHealthScript, etcdMemberFiles, etcdStartScript, etcdTlsFiles, type EtcdHostPaths, type EtcdMemberFilesParams } from "../etcdMemberFiles";
import { resolveParams } from "./resolveParams";
import { AS_ROOT, sshConnection } from "../sshConnection";
import { checkSecretReplicaWaitSeconds, DEFAULT_SECRET_REPLICA_POLL_SECONDS, DEFAULT_SECRET_REPLICA_WAIT_SECONDS, instanceProfileCheckScript, secretReplicaWaitScript } from "./preflight";

export const databaseHostType = "crazygary:dr:DatabaseHost";

/** SHA-256 of a text, hex. */
export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Owner group of a file: its own, else postgres for 0640 (pgBackRest and Patroni run as postgres and read their config), else root. */
export const fileGroup = (file: HostFile) => file.group ?? (file.mode === "0640" ? "postgres" : "root");

/**
 * The shell script (run as root, read from stdin by `bash -s`) that writes `files`: each one
 * through a quoted heredoc into a temporary file, installed with its mode only when its
 * content differs; prints which files changed. Idempotent.
 */
export function installFilesScript(files: readonly HostFile[]): string {
  if (files.length === 0) throw new Error("installFilesScript: files is empty; give the rendered host files");
  const lines = ["set -euo pipefail", 'tmp=$(mktemp)', 'trap \'rm -f "$tmp"\' EXIT'];
  for (const file of files) {
    if (!/^\/[A-Za-z0-9._/@+-]+$/.test(file.path)) throw new Error(`installFilesScript: path ${JSON.stringify(file.path)} is not an absolute path of letters, digits and . _ / @ + -`);
    if (!file.content.endsWith("\n")) throw new Error(`installFilesScript: ${file.path} does not end with a newline; a heredoc cannot write it exactly`);
    const delimiter = `CRAZY_GARY_EOF_${sha256(file.content).slice(0, 16)}`;
    if (file.content.includes(delimiter)) throw new Error(`installFilesScript: ${file.path} contains its heredoc delimiter ${delimiter}`);
    const directory = file.path.slice(0, file.path.lastIndexOf("/")) || "/";
    lines.push(
      `cat >"$tmp" <<'${delimiter}'`,
      `${file.content}${delimiter}`,
      `if ! cmp -s "$tmp" '${file.path}' || [[ "$(stat -c '%a %G' '${file.path}')" != '${file.mode.slice(1)} ${fileGroup(file)}' ]]; then`,
      `  install -d -m 0755 '${directory}'`,
      `  install -m ${file.mode} -o root -g ${fileGroup(file)} "$tmp" '${file.path}'`,
      `  echo 'updated ${file.path}'`,
      "fi",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Timer unit names, in a stable order. */
export const timerUnits = (): string[] => Object.values(UNIT_NAMES).map((unit) => `${unit}.timer`);

/** The script that loads the units and enables (and starts) every timer; idempotent. */
export function enableTimersScript(): string {
  return ["set -euo pipefail", "systemctl daemon-reload", `systemctl enable --now ${timerUnits().join(" ")}`, ""].join("\n");
}

/** The command that stops and disables the timers when the host leaves the stack. */
export const disableTimersCommand = (): string => `sudo -n systemctl disable --now ${timerUnits().join(" ")}`;

/** How the commands reach the host. */
export interface HostConnection {
  /** SSH address. */
  host: string;
  /** SSH user; must be allowed `sudo -n` (no password prompt). @default "admin" (stack config) */
  user: string;
  /** SSH port. @default 22 (stack config) */
  port: number;
  /** SSH private key (PEM), a Pulumi secret. */
  privateKey: pulumi.Input<string>;
}

/** One repository as the host config needs it; `bucket` is an output of `WalArchiveBucket`. */
export interface HostRepository {
  bucket: pulumi.Input<string>;
  /** The bucket's region. */
  region: string;
  /** pgBackRest `repo-path` in the bucket. @default "/" */
  path?: string;
}

export interface DatabaseHostArgs {
  /** The `@pulumi/command` provider. */
  provider: command.Provider;
  /** How the commands reach the host over SSH (the key is a Pulumi secret). */
  connection: HostConnection;
  /** Stack environment, the metrics' `Environment` dimension. @example "prod" */
  environment: string;
  /** The host's region code. @example "us-east-1" */
  region: string;
  /**
   * Patroni on this host: this member of the stack's one cluster (each field documented with
   * its unit in `HostPatroni`, hostFiles.ts). `noFailover` is the passive region's
   * (domain/patroni.ts `memberNoFailover`); flipping `activeRegion` changes it and so the host's
   * patroni.yml, never a resource name.
   * @default none; the stack passes `hostPatroni(config, role, ...)` (infra/backups.ts): cluster
   * `crazy-gary-<environment>`, timings from `patroni.*` (30/10/10 s), REST API port 8008,
   * maximum_lag_on_failover 335544320 bytes (one RPO of WAL)
   */
  patroni: HostPatroni;
  /**
   * The member's TLS material (PEM): the CA that signed every member's certificate, and this
   * member's certificate (SANs: its pgHost, 127.0.0.1, localhost) and key (a Pulumi secret).
   * Written to `paths.tlsDir`; used by the REST API (HTTPS), Patroni's etcd client and the
   * scripts' GET /primary. From `PatroniTls` (components/patroniTls.ts).
   * @default none (required)
   */
  tls: { caCertPem: pulumi.Input<string>; certPem: pulumi.Input<string>; keyPem: pulumi.Input<string> };
  /**
   * The etcd cluster this host runs a member of (Patroni's DCS): every member (both database
   * hosts' and the witness's, named by region code), the cluster token and the timings. This
   * member is `patroni.member`.
   * @default none; the stack passes infra/quorum.ts `etcdMembers(config)`, `etcdClusterToken(environment)`, `config.etcd`
   */
  etcd: Omit<EtcdMemberFilesParams, "paths" | "self">;
  /** Where the etcd member's files live. @default `defaultEtcdHostPaths` (components/etcdMemberFiles.ts: /etc/etcd/crazy-gary.yml, /etc/etcd/tls, /var/lib/etcd/crazy-gary) */
  etcdPaths?: Partial<EtcdHostPaths>;
  /** Every region's repository, primary region's first (repo1), secondary's second (repo2). */
  repositories: HostRepository[];
  /** Full backups are kept this long, in days (pgBackRest `repo-retention-full`). @default none; the effective `retention.fullDays` */
  fullRetentionDays: number;
  /** `archive_timeout`, in seconds. @default none; the effective `recovery.archiveTimeoutSeconds` (runbook: RPO / 5 = 60) */
  archiveTimeoutSeconds: number;
  /**
   * pgBackRest `archive-push-queue-max`, in MiB: while a repository is unreachable, WAL queued
   * in `pg_wal` beyond this is dropped (from every repository) so the disk never fills.
   * @default none; the stack passes `walQueueMaxMiB(config)` (infra/backups.ts: 40 min x 64 MiB/min = 2560)
   */
  archivePushQueueMaxMiB: number;
  /** The timers' `OnCalendar` schedules (UTC), from `schedulesFromRunbook`. */
  schedules: HostSchedules;
  /** The PostgreSQL server on the host. @default see `HostPostgres` in hostFiles.ts (Debian 12's cluster 15/main, port 5432) */
  postgres?: HostPostgres;
  /** pgBackRest stanza. @default "crazy-gary" */
  stanza?: string;
  /** Host paths. @default `defaultHostPaths` in hostFiles.ts (Debian layout; Patroni's files in /etc/patroni) */
  paths?: Partial<HostPaths>;
  /**
   * Where the other region's member may stream from this host as `replicator` and rewind from
   * it as `rewinder`: pg_hba.conf addresses (CIDRs, or "all"), one line per role each, password
   * always required.
   * @default ["all"]
   * @example ["10.2.0.0/16"]
   */
  replicationClients?: readonly string[];
  /**
   * Resources every command waits for: the roles and secrets the host reads, and for the host
   * the flip leaves, the flip (so an unreachable old leader, a regional outage, fails its
   * commands only after the flip is done). Never the flip for the candidate's host: the flip
   * waits for that host's `configured` step.
   * @default []
   */
  after?: pulumi.Resource[];
  /**
   * Values that re-run `configure-postgres.sh` when they change, beside the files it reads and the
   * versions of {@link secretsRead}.
   * @default []
   */
  configureTriggers?: pulumi.Input<string>[];
  /**
   * ARN of the instance profile the host's EC2 instance must carry (`DatabaseHostIam`'s): the first
   * step, `<name>-instance-profile`, checks it over IMDSv2 and every other step waits for it.
   * @example "arn:aws:iam::123456789012:instance-profile/database-host-iam-primary-profile-1a2b3c4"
   */
  instanceProfileArn: pulumi.Input<string>;
  /**
   * The Secrets Manager secrets `configure-postgres.sh` reads in the host's region (by name), the
   * version id `pulumi up` wrote of each, and their home region. A new version re-runs configure
   * (a new password reaches the password file and Patroni's environment). On a host outside the
   * home region, which reads replicas, `<name>-secret-replicas` first waits until each replica
   * holds that version: replication is asynchronous.
   * @default none (configure reads no secret; no wait)
   */
  secretsRead?: {
    /** The secrets' (primary) region. @example "us-east-1" */
    homeRegion: string;
    secrets: { name: string; versionId: pulumi.Input<string> }[];
    /** The wait's bound, in seconds, 10 to 3600. @default 300 (`DEFAULT_SECRET_REPLICA_WAIT_SECONDS`, preflight.ts) */
    replicaWaitSeconds?: number;
  };
}

/** A placeholder bucket name, to validate every other parameter before any resource exists. */
const placeholderBucket = "validation-placeholder";

export class DatabaseHost extends pulumi.ComponentResource {
  /** Every file the host receives, rendered (path, mode, content). */
  readonly files: pulumi.Output<HostFile[]>;
  /** The last configure run's output (what changed). */
  readonly configureStdout: pulumi.Output<string>;
  /** The step after which this host's Patroni runs with this deploy's patroni.yml (its `nofailover` tag) and dynamic configuration: the flip waits for the candidate's. */
  readonly configured: command.remote.Command;

  constructor(name: string, args: DatabaseHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super(databaseHostType, name, {}, opts);
    const paths: HostPaths = { ...defaultHostPaths, ...args.paths };
    const params = (buckets: readonly string[]): DatabaseHostFilesParams => ({
      stanza: args.stanza,
      environment: args.environment,
      hostRegion: args.region,
      patroni: args.patroni,
      repositories: args.repositories.map((repo, i) => ({ type: "s3", bucket: buckets[i]!, region: repo.region, path: repo.path })),
      fullRetentionDays: args.fullRetentionDays,
      archiveTimeoutSeconds: args.archiveTimeoutSeconds,
      archivePushQueueMaxMiB: args.archivePushQueueMaxMiB,
      schedules: args.schedules,
      postgres: args.postgres,
      paths,
      replicationClients: args.replicationClients,
    });
    resolveParams(params(args.repositories.map(() => placeholderBucket))); // throws on bad input, before any resource
    const replicaWaitSeconds = checkSecretReplicaWaitSeconds(args.secretsRead?.replicaWaitSeconds ?? DEFAULT_SECRET_REPLICA_WAIT_SECONDS, `DatabaseHost ${name}`);
    const etcdFiles = etcdMemberFiles({ ...args.etcd, self: args.patroni.member, paths: args.etcdPaths });
    const etcdStart = `${etcdStartScript(args.etcdPaths)}${etcdHealthScript({ member: args.patroni.member, clientPort: (args.etcd.settings ?? defaultEtcdSettings).clientPort, paths: args.etcdPaths })}`;

    this.files = pulumi.all(args.repositories.map((repo) => repo.bucket)).apply((buckets) => [...renderHostFiles(params(buckets)), ...etcdFiles]);

    const connection = sshConnection(args.connection);
    const child = { parent: this, provider: args.provider };
    const asRoot = AS_ROOT;
    const stepHost = `${name} (${args.connection.host})`;

    // Before anything else: the instance carries the stack's instance profile.
    const profileScript = pulumi.output(args.instanceProfileArn).apply((expectedArn) => instanceProfileCheckScript({ host: stepHost, region: args.region, expectedArn }));
    const instanceProfile = new command.remote.Command(
      `${name}-instance-profile`,
      { connection, create: asRoot, stdin: profileScript, triggers: [profileScript.apply(sha256)] },
      { ...child, dependsOn: [...(args.after ?? [])] },
    );
    const after = [instanceProfile, ...(args.after ?? [])];

    // On a host that reads replicas: each holds the version pulumi up wrote, before configure reads it.
    const secretsRead = args.secretsRead;
    const versionIds = (secretsRead?.secrets ?? []).map((s) => s.versionId);
    let secretReplicas: command.remote.Command | undefined;
    if (secretsRead && secretsRead.secrets.length > 0 && secretsRead.homeRegion !== args.region) {
      const script = pulumi.all(versionIds).apply((ids) =>
        secretReplicaWaitScript({
          host: stepHost,
          region: args.region,
          homeRegion: secretsRead.homeRegion,
          secrets: secretsRead.secrets.map((s, i) => ({ name: s.name, versionId: ids[i]! })),
          waitSeconds: replicaWaitSeconds,
          pollSeconds: DEFAULT_SECRET_REPLICA_POLL_SECONDS,
        }),
      );
      secretReplicas = new command.remote.Command(`${name}-secret-replicas`, { connection, create: asRoot, stdin: script, triggers: [script.apply(sha256)] }, { ...child, dependsOn: after });
    }

    const tlsScript = pulumi.secret(
      pulumi
        .all([args.tls.caCertPem, args.tls.certPem, args.tls.keyPem])
        .apply(([caCertPem, certPem, keyPem]) => installFilesScript([...renderTlsFiles(paths, { caCertPem, certPem, keyPem }), ...etcdTlsFiles(args.etcdPaths, { caCertPem, certPem, keyPem })])),
    );
    const tlsHash = tlsScript.apply(sha256);
    const installTls = new command.remote.Command(
      `${name}-tls`,
      { connection, create: asRoot, stdin: tlsScript, triggers: [tlsHash] },
      { ...child, dependsOn: after },
    );

    const installScript = this.files.apply(installFilesScript);
    const installFiles = new command.remote.Command(
      `${name}-files`,
      { connection, create: asRoot, stdin: installScript, triggers: [installScript.apply(sha256)] },
      { ...child, dependsOn: after },
    );

    const etcdInputs = pulumi.output(args.tls.caCertPem).apply((ca) => sha256([etcdStart, installFilesScript(etcdFiles), ca].join("\n")));
    const startEtcd = new command.remote.Command(
      `${name}-etcd`,
      { connection, create: asRoot, stdin: etcdStart, triggers: [etcdInputs] },
      { ...child, dependsOn: [installFiles, installTls, ...after] },
    );

    const configureInputs = this.files.apply((files) =>
      sha256(
        files
          .filter((f) => !f.path.startsWith(`${paths.systemdDir}/crazy-gary-`))
          .map((f) => `${f.path}\n${f.content}`)
          .join("\n"),
      ),
    );
    const configure = new command.remote.Command(
      `${name}-configure`,
      { connection, create: `sudo -n ${paths.binDir}/configure-postgres.sh`, triggers: [configureInputs, tlsHash, ...versionIds, ...(args.configureTriggers ?? [])] },
      { ...child, dependsOn: [installFiles, installTls, startEtcd, ...(secretReplicas ? [secretReplicas] : []), ...after] },
    );

    const unitsHash = this.files.apply((files) =>
      sha256(
        files
          .filter((f) => f.path.startsWith(`${paths.systemdDir}/crazy-gary-`))
          .map((f) => `${f.path}\n${f.content}`)
          .join("\n"),
      ),
    );
    new command.remote.Command(
      `${name}-timers`,
      { connection, create: asRoot, stdin: enableTimersScript(), delete: disableTimersCommand(), triggers: [unitsHash] },
      // Replaced when a unit changes: disable the old timers BEFORE enabling the new ones,
      // or the old command's delete would switch off what the new one just enabled.
      { ...child, dependsOn: [configure], deleteBeforeReplace: true },
    );

    this.configureStdout = configure.stdout;
    this.configured = configure;
    this.registerOutputs({ files: this.files, configureStdout: this.configureStdout });
  }
}
