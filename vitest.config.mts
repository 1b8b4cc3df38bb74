import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    pool: "forks",
    // The mock-engine tests share a worker's modules (loading @pulumi/aws once per worker, not
    // per file): the program is a function and every evaluation resets the mocks and config.
    // The real-PostgreSQL tests keep a fresh process per file.
    isolate: true,
    reporters: ["default", "./tools/vitest/countReporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
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
        },
      },
    ],
  },
});
