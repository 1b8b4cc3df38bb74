import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    pool: "forks",
    isolate: true,
    reporters: ["default", "./test/harness/countReporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: ["test/postgres/**"] },
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
