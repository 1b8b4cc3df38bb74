/**
 * #21 "Sessions that cannot commit on the old primary once the switchover starts", on real
 * etcd 3.4, Patroni 3.0.2 and PostgreSQL 15. The hand-written fence let three kinds of session
 * commit after the "final" LSN: a client in the middle of authentication (PostgreSQL lists it in
 * pg_stat_activity only once authenticated), a client inside an open transaction, and a
 * `replication=database` session (a walsender that runs SQL). Patroni's switchover demotes the
 * old primary by stopping PostgreSQL ("fast" mode with a shutdown checkpoint; patroni/patroni
 * v3.0.2 patroni/ha.py `demote('graceful')`), and a fast shutdown ends every session, whatever
 * its state: "the server disallows new connections and sends all existing server processes
 * SIGTERM, which will cause them to abort their current transactions and exit promptly"
 * (https://www.postgresql.org/docs/15/server-shutdown.html); walsenders exit once the shutdown
 * checkpoint is sent. The old primary then restarts as a replica, where no write commits.
 * Each session is opened before the switchover and tries to commit after it was requested.
 */
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryOnce, socketConfig } from "../../dev/patroni/clients";
import { flipTo } from "../../dev/patroni/flip";
import { PatroniLab } from "../../dev/patroni/lab";
import { waitFor } from "../../dev/postgres/pgbackrest";

const APP_PASSWORD = "Pw-sessions-app";
let lab: PatroniLab;

/** What a session's attempt to commit after the switchover came to. */
interface Attempt {
  /** The server's or the driver's error; undefined when the commit was acknowledged. */
  error: string | undefined;
}

const attempts: Record<"midAuthentication" | "openTransaction" | "replicationDatabase", Attempt> = {} as never;
const before = { passwordAsked: false, transactionState: "", walsender: "" };

function settle(run: () => Promise<unknown>): Promise<Attempt> {
  return run().then(() => ({ error: undefined }), (error: Error) => ({ error: error.message }));
}

beforeAll(async () => {
  lab = await PatroniLab.create({ label: "sessions", hbaFirst: ["local all app scram-sha-256"] });
  const { primary, secondary } = lab.members;
  await primary.node.sql(`CREATE ROLE app LOGIN PASSWORD '${APP_PASSWORD}';
    CREATE TABLE writes (session text PRIMARY KEY); GRANT INSERT, SELECT ON writes TO app`);
  await secondary.node.waitForReplay(primary.node);

  // Mid-authentication: the server has asked for the password and waits for it.
  let givePassword!: (password: string) => void;
  const password = new Promise<string>((resolve) => (givePassword = resolve));
  const midAuth = new Client(socketConfig(primary.node, { user: "app", connectionTimeoutMillis: 0, password: () => {
    before.passwordAsked = true;
    return password;
  } }));
  midAuth.on("error", () => undefined);
  const midAuthConnected = midAuth.connect();
  midAuthConnected.catch(() => undefined);

  const inTransaction = new Client(socketConfig(primary.node));
  inTransaction.on("error", () => undefined);
  await inTransaction.connect();
  await inTransaction.query("BEGIN; INSERT INTO writes VALUES ('open transaction')");

  const walsender = new Client(socketConfig(primary.node, { replication: "database" } as never));
  walsender.on("error", () => undefined);
  await walsender.connect();

  await waitFor("the server to ask for the password", 30_000, async () => before.passwordAsked, 50);
  const [activity] = await queryOnce(primary.node, `SELECT
    (SELECT state FROM pg_stat_activity WHERE pid = ${(inTransaction as unknown as { processID: number }).processID}) AS transaction_state,
    (SELECT backend_type FROM pg_stat_activity WHERE pid = ${(walsender as unknown as { processID: number }).processID}) AS walsender`);
  before.transactionState = String(activity!.transaction_state);
  before.walsender = String(activity!.walsender);

  await flipTo(lab, secondary, { from: primary });

  givePassword(APP_PASSWORD);
  attempts.midAuthentication = await settle(async () => {
    await midAuthConnected;
    await midAuth.query("INSERT INTO writes VALUES ('mid-authentication')");
  });
  attempts.openTransaction = await settle(() => inTransaction.query("COMMIT"));
  attempts.replicationDatabase = await settle(() => walsender.query("INSERT INTO writes VALUES ('replication=database')"));
  for (const client of [midAuth, inTransaction, walsender]) await client.end().catch(() => undefined);
});

afterAll(async () => {
  await lab?.destroy();
});

describe("sessions open on the old primary when the switchover starts", () => {
  it("were where the hand-written fence failed: mid-authentication, idle in a transaction, a walsender", () => {
    expect(before).toEqual({ passwordAsked: true, transactionState: "idle in transaction", walsender: "walsender" });
  });

  it.for(["midAuthentication", "openTransaction", "replicationDatabase"] as const)("%s cannot commit after the switchover", async (session, { annotate }) => {
    expect(attempts[session].error).toBeDefined();
    await annotate(`${session}: ${attempts[session].error}`);
  });

  it("left no row on the new primary nor on the old one", async () => {
    const { primary, secondary } = lab.members;
    expect(await queryOnce(secondary.node, "SELECT session FROM writes")).toEqual([]);
    await lab.waitForRole(primary, "replica");
    expect(await queryOnce(primary.node, "SELECT session FROM writes")).toEqual([]);
  });
});
