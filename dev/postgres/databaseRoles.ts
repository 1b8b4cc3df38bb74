/**
 * The database roles of domain/databaseRoles.ts on a test cluster, with exactly the attributes
 * and grants the `DatabaseRoles` component declares through `@pulumi/postgresql` (a `Role`
 * with LOGIN, no superuser, no CREATEDB or CREATEROLE, REPLICATION when the spec says so,
 * membership of its predefined roles; a `Grant` of EXECUTE on the named `pg_catalog`
 * functions, every overload, in pgBackRest's database), and per-sandbox passwords that the
 * fake Secrets Manager of dev/postgres/pgbackrest.ts hands to the hosts.
 */
import { createHash } from "node:crypto";
import { databaseRoleNames, databaseRoleSpecs, type DatabaseRoleName } from "../../domain/databaseRoles";
import { sqlLiteral } from "./settings";

/** A role's password in one sandbox: 32 hex characters (letters and digits, as the stack generates). */
export function testRolePassword(sandboxRoot: string, role: DatabaseRoleName | "patroni-rest-api"): string {
  return createHash("sha256").update(`${sandboxRoot}\0${role}`).digest("hex").slice(0, 32);
}

/**
 * SQL (run as the superuser in pgBackRest's database, on a primary) that creates or updates
 * every role with its password and grants; idempotent.
 */
export function databaseRolesSql(password: (role: DatabaseRoleName) => string): string {
  return databaseRoleNames
    .map((role) => {
      const spec = databaseRoleSpecs[role];
      const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT ${spec.replication ? "REPLICATION" : "NOREPLICATION"} PASSWORD ${sqlLiteral(password(role))}`;
      const statements = [
        `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${sqlLiteral(role)}) THEN CREATE ROLE ${role}; END IF; END $$;`,
        `ALTER ROLE ${role} ${attributes};`,
        ...spec.memberOf.map((member) => `GRANT ${member} TO ${role};`),
      ];
      if (spec.executeFunctions.length > 0) {
        const names = spec.executeFunctions.map(sqlLiteral).join(", ");
        statements.push(
          `DO $$ DECLARE f regprocedure; BEGIN
             FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = 'pg_catalog' AND p.proname IN (${names}) LOOP
               EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO ${role}', f);
             END LOOP;
           END $$;`,
        );
      }
      return statements.join("\n");
    })
    .join("\n");
}
