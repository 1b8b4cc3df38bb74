/**
 * The security-breach restore (docs/runbooks/security-breach.md) on a real PostgreSQL 15 and
 * pgBackRest 2.45: the hosts' role deletes every object of both repositories (it may: pgBackRest
 * expiry needs s3:DeleteObject), and PostgreSQL is restored from the copy AWS Backup restores
 * into a new bucket. That copy holds the current object of every key at the recovery point
 * (AWS Backup "Restoring S3 data": it restores the latest version at the chosen time), which a
 * copy of the repository folder models; pgBackRest reads it by pointing `repo1-path` (in
 * production `repo1-s3-bucket`) at it. Everything else is the host's rendered config.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgSandbox, type PgNode } from "../../dev/postgres/cluster";
import { runChecked } from "../../tools/process/exec";
import { APPLICATION_SCHEMA, createRepositories, DrHost, PRIMARY_REGION, seedSql, type Repositories } from "../../dev/postgres/pgbackrest";
import { restoreNode } from "../../dev/postgres/restore";

const DATABASE = "crazy_gary";

let sandbox: PgSandbox;
let repositories: Repositories;
let primary: PgNode;
let east: DrHost;

beforeAll(async () => {
  sandbox = await PgSandbox.create("breach");
  repositories = await createRepositories(sandbox);
  primary = await sandbox.initPrimary({ name: "use1" });
  await primary.createDatabase(DATABASE);
  await primary.sql(APPLICATION_SCHEMA + seedSql(200, 5, "seed"), { database: DATABASE });
  east = await DrHost.install(sandbox, { name: "host-use1", node: primary, hostRegion: PRIMARY_REGION, repositories });
  await east.runScriptChecked("configure-postgres.sh");
});
afterAll(() => sandbox?.destroy());

describe("a repository wiped by an intruder, restored from the locked copy", () => {
  it("restores every committed row from the copy in a new bucket, after both repositories are emptied", async () => {
    await east.pgbackrestChecked(["--repo=1", "--type=full", "backup"]);
    await primary.sql("CREATE TABLE breach_marks (label text PRIMARY KEY); INSERT INTO breach_marks VALUES ('after-the-full-backup')", { database: DATABASE });
    await east.pgbackrestChecked(["check"]); // switches WAL and waits until the segment is archived

    // AWS Backup's daily snapshot / continuous backup, restored into a new bucket.
    const newBucket = await sandbox.makeDir("restored-bucket");
    await runChecked("cp", ["-a", `${repositories.primary}/.`, newBucket]);

    // The intruder, with the hosts' role: every object of both repositories deleted.
    for (const repository of [repositories.primary, repositories.secondary]) {
      for (const entry of await readdir(repository)) await runChecked("rm", ["-rf", join(repository, entry)]);
      expect(await readdir(repository)).toEqual([]);
    }
    expect((await east.pgbackrest(["--repo=1", "info"])).stdout).toMatch(/status: error \(missing stanza path\)/);

    const restored = await restoreNode(sandbox, east, "from-copy", ["--repo=1", `--repo1-path=${newBucket}`, "--type=default"]);
    expect(await restored.sqlValue("SELECT count(*) FROM users", { database: DATABASE })).toBe("200");
    expect(await restored.sqlValue("SELECT count(*) FROM tasks", { database: DATABASE })).toBe("1000");
    expect(await restored.sql("SELECT label FROM breach_marks", { database: DATABASE })).toEqual([["after-the-full-backup"]]);
    await restored.stop();
  });
});
