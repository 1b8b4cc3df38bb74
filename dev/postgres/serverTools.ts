/**
 * This machine's PostgreSQL server tools and the `postgres` OS user the harness runs them as:
 * where the binaries are, what is missing, and folders and files owned by `postgres`.
 */
import { existsSync } from "node:fs";
import { chown, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runChecked } from "../../tools/process/exec";

/** Folder of the PostgreSQL 15 server binaries (Debian layout). */
export const PG_BIN = "/usr/lib/postgresql/15/bin";

/** Fails with what to install when this machine cannot run the real-PostgreSQL tests. */
export function requireServerTools(): void {
  const missing = [join(PG_BIN, "initdb"), "/usr/bin/pgbackrest", "/usr/sbin/runuser"].filter((tool) => !existsSync(tool));
  const uid = process.getuid?.();
  if (missing.length > 0 || uid !== 0) {
    throw new Error(
      `the real-PostgreSQL tests run as root with PostgreSQL 15 and pgBackRest installed (missing: ${missing.join(", ") || "none"}; ` +
        `running as uid ${uid}): run \`apt-get install -y postgresql-15 pgbackrest\` and the tests as root, as .ci/run does`,
    );
  }
}

/** Uid and gid of the `postgres` OS user, read once. */
let postgresIds: Promise<{ uid: number; gid: number }> | undefined;

/** Uid and gid of the `postgres` OS user. */
export function postgresUser(): Promise<{ uid: number; gid: number }> {
  postgresIds ??= (async () => {
    const [uid, gid] = await Promise.all([runChecked("id", ["-u", "postgres"]), runChecked("id", ["-g", "postgres"])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  })();
  return postgresIds;
}

/** Creates a folder (and its parents under it) owned by `postgres`, mode 0700. */
export async function makeOwnedDir(path: string): Promise<void> {
  const { uid, gid } = await postgresUser();
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chown(path, uid, gid);
}

/** Writes a file owned by `postgres` (mode 0600 unless given). */
export async function writeOwnedFile(path: string, content: string, mode = 0o600): Promise<void> {
  const { uid, gid } = await postgresUser();
  await writeFile(path, content, { mode });
  await chown(path, uid, gid);
}
