/**
 * schema-sync.sh against two real PostgreSQL 15 servers on loopback ("prod" and "dr"), both
 * with scram password auth: the schema is copied, data never is, reruns are no-ops, and a
 * target with tables the source lacks is refused untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSchemaSyncScript, schemaSyncInterpreter } from "../../components/schemaSync";
import { LOOPBACK, PgSandbox, type PgNode } from "../../dev/postgres/cluster";
import { runCommand, type CommandResult } from "../../tools/process/exec";

const SOURCE_PASSWORD = "prod-Secret-51c0a7";
const TARGET_PASSWORD = "dr-Secret-9e22b4";
const SOURCE_DB = "crazygary";

/** The prod schema: a second schema, serial default, FK, index, enum, function, view, comment. */
const PROD_SCHEMA = `
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('ok', 'sad');
CREATE TABLE public.customers (id int PRIMARY KEY, name text NOT NULL CHECK (name <> ''));
CREATE FUNCTION public.customer_label(c public.customers, prefix text) RETURNS text LANGUAGE sql AS $$ SELECT prefix || c.name $$;
CREATE TABLE app.orders (
  id serial PRIMARY KEY,
  customer_id int NOT NULL REFERENCES public.customers (id),
  mood app.mood NOT NULL DEFAULT 'ok',
  total_cents bigint NOT NULL
);
CREATE INDEX orders_customer_idx ON app.orders (customer_id);
CREATE FUNCTION app.order_total(o app.orders, discount int) RETURNS bigint LANGUAGE sql AS $$ SELECT o.total_cents - discount $$;
CREATE VIEW app.big_orders AS SELECT id, total_cents FROM app.orders WHERE total_cents > 10000;
COMMENT ON TABLE app.orders IS 'one row per checkout';
`;
/** The part of prod's schema dr already has, with the same definitions (the first 4 statements). */
const DR_PART_OF_SCHEMA = PROD_SCHEMA.trim().split("\n").slice(0, 4).join("\n");

let sandbox: PgSandbox;
let prod: PgNode;
let dr: PgNode;
const outputs: CommandResult[] = [];

/**
 * Runs schema-sync.sh from prod's database to `targetDb` on dr as the SchemaSync component
 * does (`bash -c <script text>`), inputs through the environment only.
 */
async function schemaSync(targetDb: string, overrides: Record<string, string | undefined> = {}): Promise<CommandResult> {
  const [interpreter, ...flags] = schemaSyncInterpreter;
  const result = await runCommand(interpreter, [...flags, readSchemaSyncScript()], {
    env: {
      SOURCE_HOST: LOOPBACK, SOURCE_PORT: String(prod.port), SOURCE_DATABASE: SOURCE_DB, SOURCE_USER: "postgres", SOURCE_PASSWORD,
      TARGET_HOST: LOOPBACK, TARGET_PORT: String(dr.port), TARGET_DATABASE: targetDb, TARGET_USER: "postgres", TARGET_PASSWORD,
      ...overrides,
    },
  });
  outputs.push(result);
  return result;
}

/** The schema version the script printed. */
function versionOf(result: CommandResult): string | undefined {
  return /schema-sync: schema version sha256:([0-9a-f]{64})/.exec(result.stdout)?.[1];
}

/** A database's user tables with their columns ("app.orders(id integer, ...)"), sorted. */
async function tableShapes(node: PgNode, database: string): Promise<string[]> {
  const rows = await node.sql(
    `SELECT table_schema || '.' || table_name || '(' || string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) || ')'
       FROM information_schema.columns WHERE table_schema IN ('public', 'app', 'scratch')
      GROUP BY table_schema, table_name ORDER BY 1`,
    { database },
  );
  return rows.map(([shape]) => shape);
}

beforeAll(async () => {
  sandbox = await PgSandbox.create("schemasync");
  [prod, dr] = await Promise.all([
    sandbox.initPrimary({ name: "prod", superuserPassword: SOURCE_PASSWORD }),
    sandbox.initPrimary({ name: "dr", superuserPassword: TARGET_PASSWORD }),
  ]);
  await prod.createDatabase(SOURCE_DB);
  await prod.sql(
    `${PROD_SCHEMA}
     INSERT INTO public.customers VALUES (1, 'prod customer');
     INSERT INTO app.orders (customer_id, total_cents) VALUES (1, 25000)`,
    { database: SOURCE_DB },
  );
});
afterAll(() => sandbox?.destroy());

describe("schema-sync.sh into a dr database that has part of the schema and its own rows", () => {
  const db = "dr_partial";
  let first: CommandResult;

  beforeAll(async () => {
    await dr.createDatabase(db);
    await dr.sql(`${DR_PART_OF_SCHEMA} INSERT INTO public.customers VALUES (7, 'dr drill customer'), (8, 'another')`, { database: db });
    first = await schemaSync(db);
  });

  it("succeeds and prints the schema version", () => {
    expect(first.code, first.stderr).toBe(0);
    expect(versionOf(first)).toMatch(/^[0-9a-f]{64}$/);
    expect(first.stdout).toContain("now has schema version sha256:");
  });

  it("creates only the objects dr lacked (it had the schema, type, table, primary key and function)", () => {
    expect(first.stdout).toContain("target lacks 10 of the source's 15 schema objects; creating them in one transaction");
  });

  it("creates the missing tables with the source's columns", async () => {
    expect(await tableShapes(dr, db)).toEqual(await tableShapes(prod, SOURCE_DB));
    expect(await tableShapes(dr, db)).toEqual([
      "app.big_orders(id integer, total_cents bigint)",
      "app.orders(id integer, customer_id integer, mood USER-DEFINED, total_cents bigint)",
      "public.customers(id integer, name text)",
    ]);
  });

  it("creates the indexes, constraints, defaults, types and functions", async () => {
    const rows = await dr.sql(
      `SELECT to_regclass('app.orders_customer_idx') IS NOT NULL,
              (SELECT count(*) FROM pg_constraint WHERE conrelid = 'app.orders'::regclass AND contype IN ('p', 'f')),
              (SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'app.orders'::regclass AND adnum = 1),
              to_regtype('app.mood') IS NOT NULL,
              to_regprocedure('app.order_total(app.orders, integer)') IS NOT NULL,
              obj_description('app.orders'::regclass, 'pg_class')`,
      { database: db },
    );
    expect(rows).toEqual([["t", "2", "nextval('app.orders_id_seq'::regclass)", "t", "t", "one row per checkout"]]);
  });

  it("keeps the rows dr had and copies no rows from prod", async () => {
    expect(await dr.sql("SELECT id, name FROM public.customers ORDER BY id", { database: db })).toEqual([
      ["7", "dr drill customer"],
      ["8", "another"],
    ]);
    expect(await dr.sql("SELECT count(*) FROM app.orders", { database: db })).toEqual([["0"]]);
  });

  it("is a no-op on a rerun: exit 0, same version, nothing to do", async () => {
    const again = await schemaSync(db);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`target ${db} (${LOOPBACK}:${dr.port}) already has this schema; nothing to do`);
    expect(versionOf(again)).toBe(versionOf(first));
    expect(await dr.sql("SELECT count(*) FROM public.customers", { database: db })).toEqual([["2"]]);
  });
});

describe("schema-sync.sh into an empty dr database", () => {
  it("applies the whole schema in one go, and a rerun does nothing", async () => {
    await dr.createDatabase("dr_empty");
    const result = await schemaSync("dr_empty");
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(await tableShapes(dr, "dr_empty")).toEqual(await tableShapes(prod, SOURCE_DB));
    const again = await schemaSync("dr_empty");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already has this schema; nothing to do");
  });
});

describe("schema-sync.sh into a dr database with tables prod does not have", () => {
  const db = "dr_extra";
  let result: CommandResult;
  let before: string[];

  beforeAll(async () => {
    await dr.createDatabase(db);
    await dr.sql(
      `CREATE SCHEMA scratch;
       CREATE TABLE public.legacy_audit (id int);
       CREATE TABLE scratch.notes (body text);
       INSERT INTO scratch.notes VALUES ('keep me')`,
      { database: db },
    );
    before = await tableShapes(dr, db);
    result = await schemaSync(db);
  });

  it("refuses with a non-zero exit and names the extra tables", () => {
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("has tables the source does not: public.legacy_audit, scratch.notes.");
    expect(result.stderr).toContain("Nothing was changed.");
  });

  it("changes nothing in the target", async () => {
    expect(await tableShapes(dr, db)).toEqual(before);
    expect(await dr.sql("SELECT to_regnamespace('app') IS NULL, (SELECT body FROM scratch.notes)", { database: db })).toEqual([["t", "keep me"]]);
  });
});

describe("schema-sync.sh into a dr database whose shared table differs (drift)", () => {
  it("creates what is missing, then exits 5 showing the differing lines, keeping the rows", async () => {
    await dr.createDatabase("dr_drift");
    await dr.sql("CREATE TABLE public.customers (id int PRIMARY KEY, name text NOT NULL); INSERT INTO public.customers VALUES (3, 'drifted')", {
      database: "dr_drift",
    });
    const result = await schemaSync("dr_drift");
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/^<\s+CONSTRAINT customers_name_check CHECK/m);
    expect(result.stderr).toContain("schema drift remains in dr_drift");
    expect(await dr.sql("SELECT id, name FROM public.customers", { database: "dr_drift" })).toEqual([["3", "drifted"]]);
  });
});

describe("schema-sync.sh in version mode", () => {
  it("prints the source's schema version (the one a sync prints) and needs no target", async () => {
    const sync = await schemaSync("dr_partial");
    const versionOnly = await schemaSync("dr_partial", {
      SCHEMA_SYNC_MODE: "version", TARGET_HOST: undefined, TARGET_PORT: undefined, TARGET_DATABASE: undefined, TARGET_USER: undefined,
    });
    expect(versionOnly.code, versionOnly.stderr).toBe(0);
    expect(versionOnly.stdout).toBe(`schema-sync: schema version sha256:${versionOf(sync)}\n`);
  });

  it("gives a different version when the source's schema changes", async () => {
    const before = versionOf(await schemaSync("dr_partial", { SCHEMA_SYNC_MODE: "version" }));
    await prod.sql("CREATE TABLE public.version_probe (id int)", { database: SOURCE_DB });
    const after = versionOf(await schemaSync("dr_partial", { SCHEMA_SYNC_MODE: "version" }));
    await prod.sql("DROP TABLE public.version_probe", { database: SOURCE_DB });
    expect(after).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
  });
});

describe("schema-sync.sh input checks and output", () => {
  it.each([
    { change: { SOURCE_HOST: undefined }, message: "environment variable SOURCE_HOST is required" },
    { change: { TARGET_DATABASE: "" }, message: "environment variable TARGET_DATABASE is required" },
    { change: { TARGET_PORT: "5432a" }, message: "TARGET_PORT='5432a' is not a TCP port; allowed: an integer from 1 to 65535" },
    { change: { CONNECT_TIMEOUT_SECONDS: "1" }, message: "CONNECT_TIMEOUT_SECONDS='1' is not allowed; allowed: whole seconds from 2 to 600" },
    { change: { SCHEMA_SYNC_MODE: "apply" }, message: "SCHEMA_SYNC_MODE='apply' is not allowed; allowed: sync, version" },
  ])("exits 64 naming the key when $message", async ({ change, message }) => {
    const result = await schemaSync("dr_partial", change);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(message);
  });

  it("fails without a password in its output when the target password is wrong", async () => {
    const result = await schemaSync("dr_partial", { TARGET_PASSWORD: "wrong-Secret-0000" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("password authentication failed");
    expect(result.stdout + result.stderr).not.toContain("wrong-Secret-0000");
  });

  it("never prints a password (every run of this file)", () => {
    expect(outputs.length).toBeGreaterThanOrEqual(10);
    for (const { stdout, stderr } of outputs) {
      expect(stdout + stderr).not.toContain(SOURCE_PASSWORD);
      expect(stdout + stderr).not.toContain(TARGET_PASSWORD);
    }
  });
});
