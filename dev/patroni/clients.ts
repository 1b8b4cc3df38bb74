/**
 * Application clients of the Patroni harness, over each server's Unix socket (a path, so the test
 * reaches a server even while its region is cut off): a writer that follows the primary and
 * records every acknowledged commit, and a sampler that asks every server, every period,
 * whether it takes writes. Both use node-postgres (`pg`), the common PostgreSQL client for Node.
 */
import { Client, type ClientConfig } from "pg";
import type { PgNode } from "../postgres/cluster";

/** Connection settings of a superuser session on `node` over its Unix socket. */
export function socketConfig(node: PgNode, extra: Partial<ClientConfig> = {}): ClientConfig {
  return { host: node.socketDir, port: node.port, user: "postgres", database: "postgres", connectionTimeoutMillis: 3000, ...extra };
}

/** Runs one query on a fresh connection; resolves to its rows, or rejects. */
export async function queryOnce(node: PgNode, sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client(socketConfig(node));
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether the server accepts a connection and is a primary (not in recovery): it takes writes. */
export async function takesWrites(node: PgNode): Promise<boolean> {
  try {
    const [row] = await queryOnce(node, "SELECT NOT pg_is_in_recovery() AS writable");
    return row?.writable === true;
  } catch {
    return false;
  }
}

/** One commit a server acknowledged. */
export interface Ack {
  id: number;
  /** When the acknowledgement arrived (performance.now(), ms). */
  at: number;
  /** Name of the node that acknowledged it. */
  node: string;
}

/** What a {@link FollowingWriter} saw. */
export interface WriterLog {
  acks: Ack[];
  /** Statements that failed (the connection broke, or the server was read-only). */
  failures: number;
}

/**
 * Commits `INSERT INTO <table> (id) VALUES (n)` for n = 1, 2, ... one autocommit statement at a
 * time on whichever node takes it, as an application behind a failover DNS name does: it stays
 * on its server while commits succeed and, after a failure, tries each node in turn (a new
 * connection each time) until one commits. A statement is acknowledged when the server answers
 * it; an id whose answer never came is not recorded, and the next statement takes a new id.
 */
export class FollowingWriter {
  private stopped = false;
  private readonly log: WriterLog = { acks: [], failures: 0 };
  private loop: Promise<void> | undefined;

  constructor(
    private readonly nodes: readonly PgNode[],
    private readonly table: string,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Acknowledged commits so far. */
  get acks(): readonly Ack[] {
    return this.log.acks;
  }

  /** Stops after the statement in flight and returns everything it saw. */
  async stop(): Promise<WriterLog> {
    this.stopped = true;
    await this.loop;
    return this.log;
  }

  private async run(): Promise<void> {
    let next = 1;
    let target = 0;
    while (!this.stopped) {
      const node = this.nodes[target % this.nodes.length]!;
      const client = new Client(socketConfig(node));
      client.on("error", () => undefined);
      try {
        await client.connect();
        while (!this.stopped) {
          const id = next++;
          await client.query(`INSERT INTO ${this.table} (id) VALUES (${id})`);
          this.log.acks.push({ id, at: performance.now(), node: node.name });
        }
      } catch {
        this.log.failures += 1;
        target += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }
}

/** The longest time between two consecutive acknowledgements, and where it was. */
export function longestGap(acks: readonly Ack[]): { ms: number; before: Ack | undefined; after: Ack | undefined } {
  let best = { ms: 0, before: undefined as Ack | undefined, after: undefined as Ack | undefined };
  for (let i = 1; i < acks.length; i++) {
    const ms = acks[i]!.at - acks[i - 1]!.at;
    if (ms > best.ms) best = { ms, before: acks[i - 1], after: acks[i] };
  }
  return best;
}

/** One sample: which nodes took writes at about `at`. */
export interface WritableSample {
  at: number;
  writable: Record<string, boolean>;
}

/**
 * Asks every node whether it takes writes, all at once, every `periodMs` (the next round starts
 * when the last ended, at least `periodMs` after it started), until stopped.
 */
export function sampleWritable(nodes: readonly PgNode[], periodMs = 100): { samples: WritableSample[]; stop(): Promise<WritableSample[]> } {
  const samples: WritableSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      const answers = await Promise.all(nodes.map(takesWrites));
      samples.push({ at: started, writable: Object.fromEntries(nodes.map((node, i) => [node.name, answers[i]!])) });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, periodMs - (performance.now() - started))));
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await loop;
      return samples;
    },
  };
}
