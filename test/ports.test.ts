/** Real-component files run side by side: each vitest worker hands out loopback ports from its own block. */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../dev/postgres/ports";

describe("freeLoopbackPort under vitest", () => {
  it("hands out ports of this worker's block only (10000 + 700 per VITEST_POOL_ID), below the kernel's ephemeral range, never twice", async () => {
    const poolId = Number(process.env.VITEST_POOL_ID);
    const first = 10_000 + (poolId - 1) * 700;
    const ports = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
    for (const port of ports) expect(port).toBeGreaterThanOrEqual(first), expect(port).toBeLessThan(Math.min(first + 700, 32_768));
    expect(new Set(ports).size).toBe(3);
  });

  it("skips a port of the block that something else already listens on", async () => {
    const next = await freeLoopbackPort();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(next + 1, "127.0.0.1", resolve));
    try {
      expect(await freeLoopbackPort()).toBe(next + 2);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
