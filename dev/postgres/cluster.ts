/**
 * A harness for real PostgreSQL 15 servers in tests: a {@link PgSandbox} owns a temp folder
 * (owned by `postgres`) and every {@link PgNode} (one data directory + one server) made in it.
 * Everything runs as the `postgres` OS user through `runuser`; servers listen on free
 * loopback ports and on a Unix socket in the node's folder. Generic: no promotion, backup
 * or schema logic lives here. One concern per file: ./pgNode.ts (a server), ./sandbox.ts (the
 * folder and the nodes made in it), ./serverTools.ts (binaries, the `postgres` user, owned
 * files), ./settings.ts (postgresql.conf lines); this file is their entry.
 *
 * @example
 * const sandbox = await PgSandbox.create("promotion");
 * afterAll(() => sandbox.destroy());
 * const primary = await sandbox.initPrimary({ name: "east", settings: { wal_keep_size: "64MB" } });
 * const standby = await sandbox.createStandby(primary, { name: "west", slot: "west" });
 * await primary.sql("CREATE TABLE t (id int)");
 * await standby.waitForReplay(primary);
 * const rows = await standby.sql("SELECT count(*) FROM t"); // [["0"]]
 */
export { LOOPBACK, parseUnalignedRows, PgNode, type SqlOptions } from "./pgNode";
export { PgSandbox, type PrimaryOptions, type StandbyOptions } from "./sandbox";
export { PG_BIN, writeOwnedFile } from "./serverTools";
export { renderSettings, sqlLiteral, type PgSettings, type PgSettingValue } from "./settings";
