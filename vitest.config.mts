import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    pool: "forks",
    // The mock-engine tests share a worker's modules (loading @pulumi/aws once per worker, not
    // per file): the program is a function and every evaluation resets the mocks and config.
    // The real-PostgreSQL tests keep a fresh process per file.
    isolate: true,
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
          fileParallelism: false,
          testTimeout: 30 * 60_000,
          hookTimeout: 30 * 60_000,
        },
      },
    ],
  },
});
