/**
 * The servers a first deploy finds (#21 item 5): a primary and its streaming standby in a lab's
 * regions, run by pg_ctl without Patroni, as the hosts ran them before the stack managed them.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { queryOnce } from "./clients";
import type { PatroniLab } from "./lab";
import type { PatroniMember } from "./member";
import { PG_BIN, renderSettings, writeOwnedFile } from "../postgres/cluster";
import type { PgSettings } from "../postgres/settings";
import { testRolePassword } from "../postgres/databaseRoles";
import { waitFor } from "../postgres/pgbackrest";
import { runChecked } from "../../tools/process/exec";

/** Runs a PostgreSQL binary as `postgres` inside the member's region, with its environment. */
export async function inRegion(lab: PatroniLab, member: PatroniMember, binary: string, args: readonly string[], env: Record<string, string> = {}): Promise<void> {
  const [command, argv] = lab.network.wrap(member.role, join(PG_BIN, binary), args, true);
  await runChecked(command, argv, { env: { ...member.env, ...env }, timeoutMs: 300_000 });
}

/** Starts the member's server with pg_ctl, its settings in postgresql.conf. */
export const startUnmanaged = (lab: PatroniLab, member: PatroniMember) =>
  inRegion(lab, member, "pg_ctl", ["-D", member.node.dataDir, "-l", member.node.logFile, "-w", "-t", "120", "start"]);

/** Creates and starts the primary's server: initdb with the lab's superuser password, its pg_hba lines, `settings` after the node's own. */
export async function startUnmanagedPrimary(lab: PatroniLab, settings: PgSettings): Promise<void> {
  const { primary } = lab.members;
  const passwordFile = join(primary.node.dir, "initdb.pw");
  await writeOwnedFile(passwordFile, `${lab.superuserPassword}\n`);
  await runChecked(join(PG_BIN, "initdb"), ["-D", primary.node.dataDir, "-U", "postgres", "-E", "UTF8", "--locale=C", `--pwfile=${passwordFile}`], { asPostgres: true, cwd: primary.node.dir });
  await writeOwnedFile(join(primary.node.dataDir, "pg_hba.conf"), `${lab.hba.join("\n")}\n`);
  const conf = join(primary.node.dataDir, "postgresql.conf");
  await writeOwnedFile(conf, `${await readFile(conf, "utf8")}\n${renderSettings({
    listen_addresses: "*", port: primary.node.port, unix_socket_directories: primary.node.socketDir, wal_level: "replica", hot_standby: true, ...settings,
  })}`);
  await startUnmanaged(lab, primary);
}

/** Clones the secondary from the primary as replicator (pg_basebackup -R), starts it and waits until it streams. */
export async function startUnmanagedStandby(lab: PatroniLab): Promise<void> {
  const { primary, secondary } = lab.members;
  await inRegion(lab, secondary, "pg_basebackup", ["-h", primary.address, "-p", String(primary.node.port), "-U", "replicator", "-D", secondary.node.dataDir, "-R", "-X", "stream", "-c", "fast"],
    { PGPASSWORD: testRolePassword(lab.sandbox.root, "replicator") });
  const standbyConf = join(secondary.node.dataDir, "postgresql.conf");
  await writeOwnedFile(standbyConf, `${await readFile(standbyConf, "utf8")}\n${renderSettings({ unix_socket_directories: secondary.node.socketDir })}`);
  await startUnmanaged(lab, secondary);
  await waitFor("the standby to stream", 120_000, async () =>
    (await queryOnce(secondary.node, "SELECT count(*)::int AS n FROM pg_stat_wal_receiver WHERE status = 'streaming'"))[0]?.n === 1);
}
