import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, describe, expect, it } from "vitest";
import { DatabaseHost, databaseHostType, disableTimersCommand, enableTimersScript, installFilesScript, sha256, timerUnits } from "../components/databaseHost";
import { type DatabaseHostFilesParams } from "../components/databaseHost/hostFiles";
import { renderHostFiles, renderPgbackrestConf } from "../components/databaseHost/render";
import { hostPatroni, hostSchedules } from "../infra/backups";
import { etcdMembers } from "../infra/quorum";
import { etcdMemberFiles } from "../components/etcdMemberFiles";
import { parse } from "yaml";
import { walQueueMaxMiB } from "../domain/walQueue";
import { configOf, filesOfInstallScript, ofType, parentName, planOf, resource } from "./support/backups";
import { evaluate, mockAccountId, secretMarker, type Plan } from "../tools/offline";
import { preflightScriptPath } from "../components/databaseHost/preflight";

const installed = (plan: Plan, role: string) => filesOfInstallScript(resource(plan, "command:remote:Command", `database-host-${role}-files`).inputs.stdin as string);

describe("the install script", () => {
  const scratch = mkdtempSync(join(tmpdir(), "database-host-install-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const files = [
    { path: `${scratch}/etc/pgbackrest/pgbackrest.conf`, mode: "0640" as const, content: "[global]\nrepo1-type=s3\n# a line with 'quotes' and $dollars and `ticks`\n" },
    { path: `${scratch}/opt/bin/job.sh`, mode: "0755" as const, content: "#!/usr/bin/env bash\necho \"$HOME\"\n" },
    { path: `${scratch}/etc/dr.env`, mode: "0644" as const, content: "DR_REGION='us-east-1'\n" },
  ];
  const run = (script: string) => execFileSync("/bin/bash", ["-s"], { input: script, encoding: "utf8" });

  it("writes every file byte for byte with its mode and group, then is a no-op on the second run", () => {
    const script = installFilesScript(files);
    expect(run(script).trim().split("\n")).toEqual(files.map((f) => `updated ${f.path}`));
    for (const file of files) {
      expect(readFileSync(file.path, "utf8")).toBe(file.content);
      const stat = statSync(file.path);
      expect((stat.mode & 0o777).toString(8).padStart(4, "0")).toBe(file.mode);
    }
    expect(execFileSync("stat", ["-c", "%G", files[0]!.path], { encoding: "utf8" }).trim()).toBe("postgres");
    expect(run(script)).toBe("");
  });

  it("rewrites only a file that changed", () => {
    const changed = files.map((f, i) => (i === 2 ? { ...f, content: "DR_REGION='us-west-2'\n" } : f));
    expect(run(installFilesScript(changed)).trim()).toBe(`updated ${files[2]!.path}`);
    expect(readFileSync(files[2]!.path, "utf8")).toBe("DR_REGION='us-west-2'\n");
  });

  it("writes the real rendered host files (config, settings, scripts with their own heredocs, units) byte for byte", () => {
    const root = `${scratch}/host`;
    const paths = {
      pgbackrestConfig: `${root}/etc/pgbackrest/pgbackrest.conf`,
      envFile: `${root}/etc/crazy-gary/dr.env`,
      binDir: `${root}/opt/crazy-gary/dr/bin`,
      systemdDir: `${root}/etc/systemd/system`,
      patroniConfig: `${root}/etc/patroni/config.yml`,
      patroniDynamicConfig: `${root}/etc/patroni/dynamic.json`,
    };
    const rendered = renderHostFiles({
      environment: "prod",
      hostRegion: "us-east-1",
      patroni: hostPatroni(configOf("prod"), "primary", "crazy-gary/prod/patroni/rest-api"),
      repositories: [
        { type: "s3", bucket: "wal-a", region: "us-east-1" },
        { type: "s3", bucket: "wal-b", region: "us-west-2" },
      ],
      fullRetentionDays: 30,
      archiveTimeoutSeconds: 60,
      archivePushQueueMaxMiB: 2560,
      schedules: hostSchedules(configOf("prod")),
      paths,
    });
    expect(rendered.length).toBeGreaterThan(15);
    run(installFilesScript(rendered));
    for (const file of rendered) expect([file.path, readFileSync(file.path, "utf8")]).toEqual([file.path, file.content]);
    expect(run(installFilesScript(rendered))).toBe("");
  });

  it("passes shellcheck, and so does the timer script", () => {
    for (const script of [installFilesScript(files), enableTimersScript()]) {
      expect(execFileSync("shellcheck", ["-s", "bash", "-"], { input: script, encoding: "utf8" })).toBe("");
    }
  });

  it("is read back by the tests' parser exactly as written", () => {
    expect([...filesOfInstallScript(installFilesScript(files)).entries()]).toEqual(files.map((f) => [f.path, { mode: f.mode, group: f.mode === "0640" ? "postgres" : "root", content: f.content }]));
  });

  it.each([
    [[], "files is empty"],
    [[{ path: "relative/file", mode: "0644", content: "x\n" }], 'path "relative/file" is not an absolute path'],
    [[{ path: "/etc/x y", mode: "0644", content: "x\n" }], 'path "/etc/x y" is not an absolute path'],
    [[{ path: "/etc/x", mode: "0644", content: "no newline" }], "/etc/x does not end with a newline"],
  ] as const)("refuses bad input: %j", (bad, message) => {
    expect(() => installFilesScript(bad as never)).toThrow(message);
  });
});

describe("the timer commands", () => {
  it("enable and start all five timers after a daemon-reload, and disable them on delete", () => {
    const timers = ["crazy-gary-backup-full.timer", "crazy-gary-backup-incr.timer", "crazy-gary-restore-test.timer", "crazy-gary-monitor.timer", "crazy-gary-heartbeat.timer"];
    expect(timerUnits()).toEqual(timers);
    expect(enableTimersScript()).toBe(`set -euo pipefail\nsystemctl daemon-reload\nsystemctl enable --now ${timers.join(" ")}\n`);
    expect(disableTimersCommand()).toBe(`sudo -n systemctl disable --now ${timers.join(" ")}`);
  });
});

describe.each([
  ["prod", { primary: "us-east-1", secondary: "us-west-2" }],
  ["dr", { primary: "us-east-2", secondary: "us-west-1" }],
] as const)("the %s stack's database hosts", (stack, regions) => {
  const buckets = { primary: "wal-archive-primary-bucket-0a1b2c3", secondary: "wal-archive-secondary-bucket-0a1b2c3" };

  describe.each(["primary", "secondary"] as const)("%s", (role) => {
    const name = `database-host-${role}`;

    it("writes a pgBackRest config with repo1 = primary region's bucket and repo2 = secondary's, their regions, endpoints and the retention", async () => {
      const plan = await planOf(stack);
      const conf = installed(plan, role).get("/etc/pgbackrest/pgbackrest.conf")!;
      expect([conf.mode, conf.group]).toEqual(["0640", "postgres"]);
      const settings = conf.content.split("\n").filter((line) => /^(repo\d|archive-async|start-fast|compress-type|archive-copy)/.test(line));
      expect(settings).toEqual([
        "repo1-type=s3",
        "repo1-path=/",
        `repo1-s3-bucket=${buckets.primary}`,
        `repo1-s3-region=${regions.primary}`,
        `repo1-s3-endpoint=s3.${regions.primary}.amazonaws.com`,
        "repo1-s3-key-type=auto",
        "repo1-retention-full-type=time",
        "repo1-retention-full=30",
        "repo1-cipher-type=none",
        "repo2-type=s3",
        "repo2-path=/",
        `repo2-s3-bucket=${buckets.secondary}`,
        `repo2-s3-region=${regions.secondary}`,
        `repo2-s3-endpoint=s3.${regions.secondary}.amazonaws.com`,
        "repo2-s3-key-type=auto",
        "repo2-retention-full-type=time",
        "repo2-retention-full=30",
        "repo2-cipher-type=none",
        "archive-async=y",
        "archive-copy=y",
        "start-fast=y",
        "compress-type=zst",
      ]);
    });

    it("writes exactly what the renderer renders for this host, every file", async () => {
      const plan = await planOf(stack);
      const config = configOf(stack);
      const db = config.databases[role];
      const params: DatabaseHostFilesParams = {
        environment: stack,
        hostRegion: regions[role],
        patroni: hostPatroni(config, role, `crazy-gary/${stack}/patroni/rest-api`),
        repositories: (["primary", "secondary"] as const).map((r) => ({ type: "s3" as const, bucket: buckets[r], region: regions[r], path: "/" })),
        fullRetentionDays: 30,
        archiveTimeoutSeconds: 60,
        archivePushQueueMaxMiB: walQueueMaxMiB(config),
        schedules: hostSchedules(config),
        postgres: { dataDir: db.dataDirectory, port: db.pgPort, database: db.database },
      };
      const written = installed(plan, role);
      const etcdFiles = etcdMemberFiles({ members: etcdMembers(config), self: regions[role], clusterToken: `crazy-gary-${stack}`, settings: config.etcd });
      const expected = [...renderHostFiles(params), ...etcdFiles];
      expect([...written.keys()].sort()).toEqual(expected.map((f) => f.path).sort());
      for (const file of expected) expect(written.get(file.path)).toEqual({ mode: file.mode, group: file.mode === "0640" ? "postgres" : "root", content: file.content });
      expect(written.get("/etc/pgbackrest/pgbackrest.conf")!.content).toBe(renderPgbackrestConf(params));
    });

    it("sets archive_timeout to RPO/5 = 60 s and asks this host's Patroni which member leads", async () => {
      const env = installed(await planOf(stack), role).get("/etc/crazy-gary/dr.env")!.content;
      expect(env).toContain("DR_ARCHIVE_TIMEOUT_SECONDS='60'\n");
      expect(env).toContain("DR_PATRONI_URL='https://127.0.0.1:8008'\n");
      expect(env).toContain(`DR_PATRONI_REST_SECRET='crazy-gary/${stack}/patroni/rest-api'\n`);
      expect(env).toContain(`DR_REGION='${regions[role]}'\n`);
    });

    it("makes the host member of the stack's one Patroni cluster, named by its region, on all three etcd members over TLS", async () => {
      const config = configOf(stack);
      const yml = parse(installed(await planOf(stack), role).get("/etc/patroni/config.yml")!.content);
      expect([yml.scope, yml.name]).toEqual([`crazy-gary-${stack}`, regions[role]]);
      expect(yml.etcd3).toMatchObject({
        hosts: [`${config.databases.primary.pgHost}:2379`, `${config.databases.secondary.pgHost}:2379`, `${config.witness.etcdHost}:2379`],
        protocol: "https",
      });
      expect(yml.restapi.connect_address).toBe(`${config.databases[role].pgHost}:8008`);
      expect(yml.postgresql.connect_address).toBe(`${config.databases[role].pgHost}:5432`);
    });

    it("runs its etcd member, one of three over TLS, named by its region; (re)started after its files, before Patroni's configure", async () => {
      const plan = await planOf(stack);
      const config = configOf(stack);
      const etcd = parse(installed(plan, role).get("/etc/etcd/crazy-gary.yml")!.content);
      expect([etcd.name, etcd["initial-cluster-token"], etcd["data-dir"]]).toEqual([regions[role], `crazy-gary-${stack}`, "/var/lib/etcd/crazy-gary"]);
      expect(etcd["initial-cluster"]).toBe(
        [`${regions.primary}=https://${config.databases.primary.pgHost}:2380`, `${regions.secondary}=https://${config.databases.secondary.pgHost}:2380`, `${config.regions.witness}=https://${config.witness.etcdHost}:2380`].join(","),
      );
      expect(installed(plan, role).get("/etc/systemd/system/etcd.service.d/crazy-gary.conf")!.content).toContain("Environment=ETCD_CONFIG_FILE=/etc/etcd/crazy-gary.yml\n");
      const step = (suffix: string) => resource(plan, "command:remote:Command", `${name}-${suffix}`);
      expect(step("etcd").inputs.stdin).toContain("systemctl restart --no-block etcd.service");
      expect(step("etcd").options.dependsOn).toEqual(expect.arrayContaining([step("files").urn, step("tls").urn]));
      expect(step("configure").options.dependsOn).toContain(step("etcd").urn);
    });

    it("writes the member's CA, certificate and key through their own command, whose script is a secret", async () => {
      const plan = await planOf(stack);
      const tls = resource(plan, "command:remote:Command", `${name}-tls`);
      expect([tls.inputs.create, tls.inputs.stdin, tls.inputs.triggers]).toEqual(["sudo -n /bin/bash -s", secretMarker, [secretMarker]]);
      expect(resource(plan, "command:remote:Command", `${name}-configure`).options.dependsOn).toContain(tls.urn);
    });

    it("PATCHes Patroni's /config with the stack's dynamic configuration: ttl 30, loop_wait 10, retry_timeout 10, one RPO of WAL", async () => {
      const files = installed(await planOf(stack), role);
      expect(JSON.parse(files.get("/etc/patroni/dynamic.json")!.content)).toEqual({
        ttl: 30,
        loop_wait: 10,
        retry_timeout: 10,
        maximum_lag_on_failover: 335544320,
        postgresql: { use_pg_rewind: true },
      });
      expect(files.get("/opt/crazy-gary/dr/bin/configure-postgres.sh")!.content).toContain('PATCH /config "$(cat "$DR_PATRONI_DYNAMIC_CONFIG")"');
      const changed = installed(await planOf(stack, ["patroni.ttl=45", "patroni.retryTimeout=15"]), role);
      expect(JSON.parse(changed.get("/etc/patroni/dynamic.json")!.content)).toMatchObject({ ttl: 45, retry_timeout: 15 });
    });

    it.each([
      ["crazy-gary-backup-full.timer", "*-*-* 02:00:00 UTC"],
      ["crazy-gary-backup-incr.timer", "*-*-* 00/6:00:00 UTC"],
      ["crazy-gary-restore-test.timer", "*-*-01 04:00:00 UTC"],
      ["crazy-gary-monitor.timer", "*-*-* *:00/5:00 UTC"],
      ["crazy-gary-heartbeat.timer", "*-*-* *:*:00 UTC"],
    ])("schedules %s at %s", async (timer, onCalendar) => {
      const unit = installed(await planOf(stack), role).get(`/etc/systemd/system/${timer}`)!.content;
      expect(unit.match(/^OnCalendar=.*$/gm)).toEqual([`OnCalendar=${onCalendar}`]);
    });

    it("runs tls and files, then configure, then timers; each through the command provider, over a secret SSH connection", async () => {
      const plan = await planOf(stack);
      expect(resource(plan, databaseHostType, name).custom).toBe(false);
      const commands = plan.resources.filter((r) => parentName(r) === name);
      // The host outside the secrets' home region (the primary role's) waits for its replicas.
      const steps = ["configure", "etcd", "files", "instance-profile", ...(role === "secondary" ? ["secret-replicas"] : []), "timers", "tls"];
      expect(commands.map((r) => [r.type, r.name]).sort()).toEqual(steps.map((step) => ["command:remote:Command", `${name}-${step}`]));
      for (const cmd of commands) {
        expect(cmd.provider).toMatch(/pulumi:providers:command::command::/);
        expect(cmd.inputs.connection).toBe(secretMarker);
      }
      const step = (suffix: string) => resource(plan, "command:remote:Command", `${name}-${suffix}`);
      const [configure, files, timers, tls] = [step("configure"), step("files"), step("timers"), step("tls")];
      expect(files.inputs.create).toBe("sudo -n /bin/bash -s");
      expect(files.inputs.triggers).toEqual([sha256(files.inputs.stdin as string)]);
      expect(configure.inputs.create).toBe("sudo -n /opt/crazy-gary/dr/bin/configure-postgres.sh");
      expect(configure.options.dependsOn).toEqual(expect.arrayContaining([files.urn, tls.urn]));
      expect(timers.inputs).toMatchObject({ create: "sudo -n /bin/bash -s", stdin: enableTimersScript(), delete: disableTimersCommand() });
      expect(timers.options.dependsOn).toContain(configure.urn);
    });

    it("checks first, over IMDSv2, that the instance carries its own role's instance profile; every other step waits for that check", async () => {
      const plan = await planOf(stack);
      const check = resource(plan, "command:remote:Command", `${name}-instance-profile`);
      const stdin = check.inputs.stdin as string;
      expect(check.inputs.create).toBe("sudo -n /bin/bash -s");
      expect(stdin.split("\n").slice(0, 4)).toEqual([
        "#!/usr/bin/env bash",
        `PREFLIGHT_HOST='${name} (${configOf(stack).databases[role].sshHost})'`,
        `PREFLIGHT_REGION='${regions[role]}'`,
        `EXPECTED_INSTANCE_PROFILE_ARN='arn:aws:iam::${mockAccountId}:instance-profile/database-host-iam-${role}-profile'`,
      ]);
      expect(stdin).toContain(readFileSync(preflightScriptPath("instance-profile.sh"), "utf8").split("\n").slice(1).join("\n"));
      expect(check.inputs.triggers).toEqual([sha256(stdin)]);
      for (const step of plan.resources.filter((r) => parentName(r) === name && r.name !== check.name && !r.name.endsWith("-timers"))) {
        expect(step.options.dependsOn, step.name).toContain(check.urn);
      }
      expect(check.options.dependsOn).not.toContain(resource(plan, "command:remote:Command", `${name}-files`).urn);
    });

    it(role === "secondary" ? "waits, before configure reads them, until its region's replicas of the secrets it reads hold the versions pulumi up wrote (300 s bound)" : "reads the primary secrets in its own region: no replica wait", async () => {
      const plan = await planOf(stack);
      const configure = resource(plan, "command:remote:Command", `${name}-configure`);
      const wait = plan.resources.find((r) => r.name === `${name}-secret-replicas`);
      if (role === "primary") {
        expect(wait).toBeUndefined();
        return;
      }
      const stdin = wait!.inputs.stdin as string;
      const secrets = [...["pgbackrest", "monitor", "replicator", "rewinder"].map((r) => [`crazy-gary/${stack}/postgres/${r}`, `database-roles-${r}-secret-version-v1`]), [`crazy-gary/${stack}/patroni/rest-api`, "patroni-rest-secret-version-v1"]];
      expect(stdin.split("\n").slice(1, 7)).toEqual([
        `PREFLIGHT_HOST='${name} (${configOf(stack).databases[role].sshHost})'`,
        `SECRETS_REGION='${regions.secondary}'`,
        `SECRETS_HOME_REGION='${regions.primary}'`,
        `SECRET_VERSIONS='${secrets.map(([n, v]) => `${n}=${v}`).join(" ")}'`,
        "WAIT_SECONDS='300'",
        "POLL_SECONDS='5'",
      ]);
      expect(wait!.inputs.triggers).toEqual([sha256(stdin)]);
      expect(wait!.options.dependsOn).toContain(resource(plan, "command:remote:Command", `${name}-instance-profile`).urn);
      expect(configure.options.dependsOn).toContain(wait!.urn);
    });

    it("names the roles' secrets for configure-postgres.sh, never a password, and configures only once the roles and their secrets exist", async () => {
      const plan = await planOf(stack);
      const env = installed(plan, role).get("/etc/crazy-gary/dr.env")!.content;
      expect(env).toContain(`DR_ROLE_SECRETS='pgbackrest=crazy-gary/${stack}/postgres/pgbackrest monitor=crazy-gary/${stack}/postgres/monitor replicator=crazy-gary/${stack}/postgres/replicator rewinder=crazy-gary/${stack}/postgres/rewinder'\n`);
      expect(env).toContain(`DR_REGION='${regions[role]}'\n`);
      expect(installed(plan, role).get("/etc/pgbackrest/pgbackrest.conf")!.content).toContain("\npg1-user=pgbackrest\n");
      const commands = plan.resources.filter((r) => parentName(r) === name);
      expect(JSON.stringify(commands.map((r) => r.inputs))).not.toMatch(/mock-password/);
      // dependsOn a component waits for its children: every role, grant and secret version.
      const rolesAndSecrets = plan.resources
        .filter((r) => parentName(r) === "database-roles" && ["postgresql:index/role:Role", "aws:secretsmanager/secretVersion:SecretVersion"].includes(r.type))
        .map((r) => r.urn);
      expect(rolesAndSecrets).toHaveLength(10);
      for (const cmd of commands.filter((r) => !r.name.endsWith("-timers"))) expect(cmd.options.dependsOn).toEqual(expect.arrayContaining(rolesAndSecrets));
      // A new password (a new secret version) re-runs configure, which rewrites the password file and Patroni's environment.
      const configure = resource(plan, "command:remote:Command", `${name}-configure`);
      expect((configure.inputs.triggers as string[]).slice(2)).toEqual([
        ...["pgbackrest", "monitor", "replicator", "rewinder"].map((r) => `database-roles-${r}-secret-version-v1`),
        "patroni-rest-secret-version-v1",
      ]);
    });
  });

  it("lets the other region's standby stream as replicator from the stack file's replicationClients only, and from any address by default", async () => {
    const env = (plan: Plan, role: string) => installed(plan, role).get("/etc/crazy-gary/dr.env")!.content;
    const narrowed = await planOf(stack, ["databases.primary.replicationClients=[10.2.0.0/16, fd00:2::/64]"]);
    expect(env(narrowed, "primary")).toContain("DR_REPLICATION_CLIENTS='10.2.0.0/16 fd00:2::/64'\n");
    expect(env(narrowed, "secondary")).toContain("DR_REPLICATION_CLIENTS='all'\n");
    expect(env(await planOf(stack), "primary")).toContain("DR_REPLICATION_CLIENTS='all'\n");
    expect(() => configOf(stack, ["databases.secondary.replicationClients=[10.0.0.1]"])).toThrow(
      'crazy-gary-dr:databases.secondary.replicationClients.0: "10.0.0.1" is not a pg_hba.conf address; use a CIDR or "all", e.g. 10.1.0.0/16',
    );
    expect(() => configOf(stack, ["databases.secondary.replicationClients=[]"])).toThrow('crazy-gary-dr:databases.secondary.replicationClients: [] is empty; give at least one address, or ["all"]');
  });

  it("never shows an SSH key or password in the plan", async () => {
    const plan = await planOf(stack);
    const text = JSON.stringify([plan.resources.map((r) => r.inputs), plan.outputs]);
    expect(text).not.toMatch(/PRIVATE KEY|PLACEHOLDER-set-with-pulumi-config-set--secret|mock-password/);
  });

  it.each(["primary", "secondary"] as const)(
    "with activeRegion=%s, orders the candidate's host, then the flip, then the other host; nofailover only on the other",
    async (active) => {
      const plan = await planOf(stack, active === "primary" ? [] : ["activeRegion=secondary"]);
      const other = active === "primary" ? "secondary" : "primary";
      const flip = resource(plan, "command:local:Command", "patroni-flip-command");
      const hostCommands = (role: string) => plan.resources.filter((r) => parentName(r) === `database-host-${role}`);
      expect(flip.options.dependsOn).toContain(resource(plan, "command:remote:Command", `database-host-${active}-configure`).urn);
      for (const cmd of hostCommands(active)) expect(cmd.options.dependsOn).not.toContain(flip.urn);
      for (const cmd of hostCommands(other).filter((r) => !r.name.endsWith("-timers"))) expect(cmd.options.dependsOn).toContain(flip.urn);
      const noFailover = (role: string) => parse(installed(plan, role).get("/etc/patroni/config.yml")!.content).tags.nofailover;
      expect([noFailover(active), noFailover(other)]).toEqual([false, true]);
    },
  );

  it("with automaticCrossRegionFailover, tags no member nofailover, whichever region is active", async () => {
    for (const active of ["primary", "secondary"]) {
      const plan = await planOf(stack, [`activeRegion=${active}`, "patroni.automaticCrossRegionFailover=true"]);
      for (const role of ["primary", "secondary"]) expect(parse(installed(plan, role).get("/etc/patroni/config.yml")!.content).tags.nofailover).toBe(false);
    }
  });

  it("flips without changing a URN: only patroni.yml's nofailover moves, re-running files and configure, never the timers", async () => {
    const [before, after] = await Promise.all([planOf(stack), planOf(stack, ["activeRegion=secondary"])]);
    const ours = (plan: Plan) => ofType(plan, "command:remote:Command").filter((r) => r.name.startsWith("database-host-")).map((r) => r.urn).sort();
    expect(ours(after)).toEqual(ours(before));
    const triggers = (plan: Plan, step: string, role: string) => resource(plan, "command:remote:Command", `database-host-${role}-${step}`).inputs.triggers;
    for (const role of ["primary", "secondary"]) {
      const changed = [...installed(after, role)].filter(([path, file]) => installed(before, role).get(path)?.content !== file.content).map(([path]) => path);
      expect(changed).toEqual(["/etc/patroni/config.yml"]);
      expect(triggers(after, "files", role)).not.toEqual(triggers(before, "files", role));
      expect(triggers(after, "configure", role)).not.toEqual(triggers(before, "configure", role));
      expect(triggers(after, "timers", role)).toEqual(triggers(before, "timers", role));
      // The preflight steps never re-run on a flip: a flip away from a dead region asks nothing of it.
      expect(triggers(after, "instance-profile", role)).toEqual(triggers(before, "instance-profile", role));
      if (role === "secondary") expect(triggers(after, "secret-replicas", role)).toEqual(triggers(before, "secret-replicas", role));
    }
  });
});

describe("DatabaseHost arguments", () => {
  const validArgs = (provider: command.Provider) => ({
    provider,
    connection: { host: "db.example.com", user: "admin", port: 22, privateKey: "k" },
    environment: "prod",
    region: "us-east-1",
    patroni: hostPatroni(configOf("prod"), "primary", "crazy-gary/prod/patroni/rest-api"),
    tls: { caCertPem: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n", certPem: "-----BEGIN CERTIFICATE-----\nM\n-----END CERTIFICATE-----\n", keyPem: "k" },
    etcd: { members: etcdMembers(configOf("prod")), clusterToken: "crazy-gary-prod" },
    repositories: [
      { bucket: "bucket-a", region: "us-east-1" },
      { bucket: "bucket-b", region: "us-west-2" },
    ],
    fullRetentionDays: 30,
    archiveTimeoutSeconds: 60,
    archivePushQueueMaxMiB: 2560,
    schedules: hostSchedules(configOf("prod")),
    instanceProfileArn: "arn:aws:iam::123456789012:instance-profile/host-profile",
  });

  it("replaces the timers command delete-first, so a replacement never ends with the timers disabled", async () => {
    const options: Record<string, unknown> = {};
    await evaluate(
      async () => {
        pulumi.runtime.registerStackTransformation((args) => {
          if (args.type === "command:remote:Command") options[args.name] = (args.opts as pulumi.CustomResourceOptions).deleteBeforeReplace ?? false;
          return undefined;
        });
        new DatabaseHost("host", validArgs(new command.Provider("command")));
      },
      { stack: "test" },
    );
    expect(options).toEqual({ "host-instance-profile": false, "host-tls": false, "host-files": false, "host-etcd": false, "host-configure": false, "host-timers": true });
  });

  it.each([
    [{ region: "atlantis" }, 'hostRegion is "atlantis"; use an AWS region code'],
    [{ region: "eu-west-1" }, "exactly one repository must be in the host's region"],
    [{ fullRetentionDays: 0 }, "fullRetentionDays is 0; use a whole number from 1 to 9999"],
    [{ patroni: { ...hostPatroni(configOf("prod"), "primary", "s"), restApiPort: 0 } }, "patroni.restApiPort is 0; use a whole number from 1 to 65535"],
    [
      { secretsRead: { homeRegion: "us-west-2", secrets: [{ name: "s", versionId: "v" }], replicaWaitSeconds: 5 } },
      "DatabaseHost host: secretReplicaWaitSeconds is 5; use whole seconds from 10 to 3600 (default 300)",
    ],
  ])("refuses %j before declaring any command", async (override, message) => {
    const declared: string[] = [];
    const program = async () => {
      const provider = new command.Provider("command");
      try {
        new DatabaseHost("host", { ...validArgs(provider), ...override });
      } catch (error) {
        declared.push(`error: ${(error as Error).message}`);
      }
    };
    const evaluation = await evaluate(program, { stack: "test" });
    expect(declared).toHaveLength(1);
    expect(declared[0]).toContain(message);
    expect(evaluation.resources.filter((r) => r.type === "command:remote:Command")).toEqual([]);
  });
});
