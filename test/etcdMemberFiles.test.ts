/**
 * One etcd member's files and scripts (components/etcdMemberFiles.ts), and the witness member as
 * the prod and dr plans declare it (components/etcdWitness.ts, infra/quorum.ts).
 */
import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { installFilesScript, sha256 } from "../components/databaseHost";
import { etcdDropIn, etcdHealthScript, etcdMemberFiles, etcdStartScript, etcdTlsFiles } from "../components/etcdMemberFiles";
import type { Plan } from "../tools/offline";
import { filesOfInstallScript, resource } from "./support/backups";
import { sharedPlan } from "./support/plans";

const members = [
  { name: "us-east-1", host: "db-use1.ops.crazy-gary.app" },
  { name: "us-west-2", host: "db-usw2.ops.crazy-gary.app" },
  { name: "us-east-2", host: "etcd-use2.ops.crazy-gary.app" },
];
const tlsBlock = { "cert-file": "/etc/etcd/tls/cert.pem", "key-file": "/etc/etcd/tls/key.pem", "trusted-ca-file": "/etc/etcd/tls/ca.pem", "client-cert-auth": true, "auto-tls": false };

describe("etcdMemberFiles", () => {
  const files = etcdMemberFiles({ members, self: "us-east-2", clusterToken: "crazy-gary-prod" });

  it("renders the member's config: https everywhere, client certificates required from clients and peers, its own data directory", () => {
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ["/etc/etcd/crazy-gary.yml", "0644"],
      ["/etc/systemd/system/etcd.service.d/crazy-gary.conf", "0644"],
    ]);
    expect(parse(files[0]!.content)).toEqual({
      name: "us-east-2",
      "data-dir": "/var/lib/etcd/crazy-gary",
      "heartbeat-interval": 100,
      "election-timeout": 1000,
      "listen-peer-urls": "https://0.0.0.0:2380",
      "listen-client-urls": "https://0.0.0.0:2379",
      "initial-advertise-peer-urls": "https://etcd-use2.ops.crazy-gary.app:2380",
      "advertise-client-urls": "https://etcd-use2.ops.crazy-gary.app:2379",
      "initial-cluster": "us-east-1=https://db-use1.ops.crazy-gary.app:2380,us-west-2=https://db-usw2.ops.crazy-gary.app:2380,us-east-2=https://etcd-use2.ops.crazy-gary.app:2380",
      "initial-cluster-token": "crazy-gary-prod",
      "initial-cluster-state": "new",
      "enable-grpc-gateway": true,
      "enable-v2": false,
      "pre-vote": true,
      "client-transport-security": tlsBlock,
      "peer-transport-security": tlsBlock,
    });
  });

  it("adapts Debian's etcd.service by a drop-in: the config file, restart on failure, no start timeout", () => {
    expect(files[1]!.content).toBe(etcdDropIn({ configFile: "/etc/etcd/crazy-gary.yml" }));
    expect(files[1]!.content.split("\n").filter((l) => !l.startsWith("#"))).toEqual([
      "[Service]",
      "Environment=ETCD_CONFIG_FILE=/etc/etcd/crazy-gary.yml",
      "Restart=on-failure",
      "RestartSec=5s",
      "TimeoutStartSec=infinity",
      "",
    ]);
  });

  it("follows the host paths it is given", () => {
    const moved = etcdMemberFiles({ members, self: "us-east-1", clusterToken: "t", paths: { configFile: "/srv/etcd.yml", tlsDir: "/srv/tls", dataDir: "/srv/data" } });
    expect(moved[0]!.path).toBe("/srv/etcd.yml");
    expect(parse(moved[0]!.content)).toMatchObject({ "data-dir": "/srv/data", "client-transport-security": { "trusted-ca-file": "/srv/tls/ca.pem", "key-file": "/srv/tls/key.pem" } });
    expect(moved[1]!.content).toContain("Environment=ETCD_CONFIG_FILE=/srv/etcd.yml\n");
  });

  it("writes the TLS files with the key readable by etcd only (0640 root:etcd)", () => {
    const tls = etcdTlsFiles(undefined, { caCertPem: "CA", certPem: "CERT\n", keyPem: "KEY" });
    expect(tls).toEqual([
      { path: "/etc/etcd/tls/ca.pem", mode: "0644", content: "CA\n" },
      { path: "/etc/etcd/tls/cert.pem", mode: "0644", content: "CERT\n" },
      { path: "/etc/etcd/tls/key.pem", mode: "0640", group: "etcd", content: "KEY\n" },
    ]);
    expect(filesOfInstallScript(installFilesScript(tls)).get("/etc/etcd/tls/key.pem")).toEqual({ mode: "0640", group: "etcd", content: "KEY\n" });
  });

  it("starts without waiting for the quorum, and waits for health within its bound over TLS", () => {
    expect(etcdStartScript()).toBe(
      "set -euo pipefail\ninstall -d -o etcd -g etcd -m 0700 '/var/lib/etcd/crazy-gary'\nsystemctl daemon-reload\nsystemctl enable etcd.service\nsystemctl restart --no-block etcd.service\necho 'restarted etcd.service on /etc/etcd/crazy-gary.yml'\n",
    );
    const health = etcdHealthScript({ member: "us-east-2", clientPort: 2379, timeoutSeconds: 120 });
    expect(health).toContain("deadline=$((SECONDS + 120))");
    expect(health).toContain(
      "ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert='/etc/etcd/tls/ca.pem' --cert='/etc/etcd/tls/cert.pem' --key='/etc/etcd/tls/key.pem' --dial-timeout=3s --command-timeout=5s endpoint health",
    );
    expect(() => etcdHealthScript({ member: "m", clientPort: 2379, timeoutSeconds: 5 })).toThrow("etcd health timeoutSeconds: 5 is not allowed; use whole seconds from 10 to 3600");
  });

  it("passes shellcheck (start, health wait, both installs)", () => {
    const scripts = [etcdStartScript(), etcdHealthScript({ member: "m", clientPort: 2379 }), installFilesScript(files), installFilesScript(etcdTlsFiles(undefined, { caCertPem: "a", certPem: "b", keyPem: "c" }))];
    for (const script of scripts) expect(execFileSync("shellcheck", ["-s", "bash", "-"], { input: script, encoding: "utf8" })).toBe("");
  });
});

describe.each([
  ["prod", { witness: "etcd-use2.ops.crazy-gary.app", region: "us-east-2", primary: "us-east-1", secondary: "us-west-2" }],
  ["dr", { witness: "etcd-usw2.dr.ops.crazy-gary.app", region: "us-west-2", primary: "us-east-2", secondary: "us-west-1" }],
] as const)("the %s plan's etcd witness", (stack, expected) => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await sharedPlan(stack);
  });
  const command = (step: string) => resource(plan, "command:remote:Command", `etcd-witness-${step}`);

  it("connects to witness.sshHost and installs the member's config and drop-in, named after the witness region", () => {
    for (const step of ["tls", "files", "start"]) expect(plan.connectionHosts[command(step).urn], step).toBe(expected.witness);
    const installed = filesOfInstallScript(command("files").inputs.stdin as string);
    expect([...installed.keys()]).toEqual(["/etc/etcd/crazy-gary.yml", "/etc/systemd/system/etcd.service.d/crazy-gary.conf"]);
    const config = parse(installed.get("/etc/etcd/crazy-gary.yml")!.content);
    expect(config).toMatchObject({ name: expected.region, "initial-cluster-token": `crazy-gary-${stack}`, "advertise-client-urls": `https://${expected.witness}:2379` });
    expect(config["initial-cluster"]).toMatch(new RegExp(`^${expected.primary}=https://.+:2380,${expected.secondary}=https://.+:2380,${expected.region}=https://${expected.witness.replace(/\./g, "\\.")}:2380$`));
    expect(command("files").inputs.triggers).toEqual([sha256(command("files").inputs.stdin as string)]);
  });

  it("keeps the TLS install script (it holds the key) secret, and starts etcd after both installs", () => {
    expect(command("tls").inputs.stdin).toBe("[secret]");
    expect(command("start").inputs.stdin).toBe(`${etcdStartScript()}${etcdHealthScript({ member: expected.region, clientPort: 2379 })}`);
    expect(command("start").options.dependsOn).toEqual(expect.arrayContaining([command("tls").urn, command("files").urn]));
    expect(command("start").inputs.delete).toBeUndefined();
  });
});
