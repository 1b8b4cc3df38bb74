/**
 * The replication and rewind credentials a lab member's Patroni runs with, taken as the product
 * gives them: configure-postgres.sh writes PATRONI_REPLICATION_USERNAME/PASSWORD and
 * PATRONI_REWIND_USERNAME/PASSWORD into Patroni's EnvironmentFile from the role names of the
 * host's rendered dr.env (DR_PATRONI_REPLICATION_ROLE, DR_PATRONI_REWIND_ROLE) and the roles'
 * Secrets Manager passwords (test/postgres/leastPrivilege.test.ts checks that file). Patroni
 * 3.0.2 rewinds as `postgresql.authentication.rewind` when it is set (PostgreSQL 11+), else as
 * the superuser (patroni/postgresql/config.py `rewind_credentials`), so without these the lab
 * would rewind as a superuser the product's hosts have no password for.
 */
import { readFile } from "node:fs/promises";
import type { HostDatabaseRole } from "../../domain/databaseRoles";
import type { DrHost } from "../postgres/pgbackrest";

/** A `NAME='value'` line of the rendered dr.env (render.ts quotes every value). */
function renderedSetting(text: string, name: string, file: string): string {
  const match = new RegExp(`^${name}='([^']*)'$`, "m").exec(text);
  if (!match) throw new Error(`${file} has no ${name}='...' line: the host files were rendered without it`);
  return match[1]!;
}

/** Patroni's replication and rewind credentials for `host`, from its rendered dr.env and the roles' passwords. */
export async function patroniRoleEnvironment(host: DrHost, password: (role: HostDatabaseRole) => string): Promise<Record<string, string>> {
  const text = await readFile(host.envFile, "utf8");
  const replication = renderedSetting(text, "DR_PATRONI_REPLICATION_ROLE", host.envFile) as HostDatabaseRole;
  const rewind = renderedSetting(text, "DR_PATRONI_REWIND_ROLE", host.envFile) as HostDatabaseRole;
  return {
    PATRONI_REPLICATION_USERNAME: replication,
    PATRONI_REPLICATION_PASSWORD: password(replication),
    PATRONI_REWIND_USERNAME: rewind,
    PATRONI_REWIND_PASSWORD: password(rewind),
  };
}
