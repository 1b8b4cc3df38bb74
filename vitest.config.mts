import { readdirSync } from "node:fs";
import { defineConfig } from "vitest/config";

/**
 * The real-component test files (test/postgres: PostgreSQL, pgBackRest, s3rver, Patroni, etcd).
 * They mostly wait (for an archive_timeout, a WAL push, a leader election), so they run side by
 * side, each in its own process with its own kernel-chosen ports (dev/postgres/ports.ts) and its
 * own temp folder (PgSandbox.create); none waits for another.
 */
const realComponentFiles = readdirSync(new URL("./test/postgres", import.meta.url), { recursive: true })
  .filter((name) => String(name).endsWith(".test.ts")).length;

export default defineConfig({
  test: {
    pool: "forks",
    // The mock-engine tests share a worker's modules (loading @pulumi/aws once per worker, not
    // per file): the program is a function and every evaluation resets the mocks and config.
    // The real-PostgreSQL tests keep a fresh process per file.
    isolate: true,
    // One worker per real-component file, so every one of them starts at once (vitest runs the
    // projects in name order, `postgres` first), plus two (the cores of the CI machine) for the
    // in-process and CLI tests, which take over each worker a real-component file leaves. All
    // projects share one pool: vitest runs projects with different maxWorkers one after another.
    maxWorkers: realComponentFiles + 2,
    reporters: ["default", "./dev/vitest/countReporter.ts"],
    // Timeouts here only catch a hung test; they never judge speed. Every test waits on
    // conditions (a replayed LSN, a file in the repository, a process gone), each with its own
    // deadline in the test; a loaded machine (a fresh clone's CI once ran at load average 8)
    // makes them slower, never wrong. Speed is measured by `npm run bench`, not asserted.
    testTimeout: 10 * 60_000,
    hookTimeout: 10 * 60_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: ["test/postgres/**", "test/processes/**"], isolate: false },
      },
      {
        // Tests that start real processes as a user or the Pulumi CLI would: the CLIs through
        // npm's command line, the entry point and the policy pack through ts-node, actionlint.
        extends: true,
        test: { name: "processes", include: ["test/processes/**/*.test.ts"] },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: ["test/postgres/**/*.test.ts"],
          testTimeout: 30 * 60_000,
          hookTimeout: 30 * 60_000,
        },
      },
    ],
  },
});
