/** Free TCP ports on the loopback interface, for test servers. */
import { createServer } from "node:net";

/** Ports this process has already handed out; never handed out twice. */
const handedOut = new Set<number>();

/** Asks the kernel for a port that is free on 127.0.0.1 right now. */
function kernelFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Tells whether nothing listens on `port` at 127.0.0.1 (a connection is refused). */
export function isPortClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Ports below Linux's ephemeral range (`net.ipv4.ip_local_port_range`, 32768-60999 by default), in
 * one block of {@link blockSize} per vitest worker (`VITEST_POOL_ID`, 1 to maxWorkers, unique among
 * the workers running at once): test files run side by side, and a port the kernel hands one
 * process for `listen(0)` was seen taken by another file's server before the first bound it
 * ("could not bind IPv4 address: Address already in use"). Disjoint blocks make that impossible.
 */
const firstBlockPort = 10_000;
const blockSize = 700;
const lastPortBelowEphemeral = 32_767;

/** This worker's block, or undefined outside vitest (then the kernel picks). */
function workerBlock(): { first: number; last: number } | undefined {
  const poolId = Number(process.env.VITEST_POOL_ID);
  if (!Number.isInteger(poolId) || poolId < 1) return undefined;
  const first = firstBlockPort + (poolId - 1) * blockSize;
  const last = first + blockSize - 1;
  if (last > lastPortBelowEphemeral) throw new Error(`freeLoopbackPort: VITEST_POOL_ID ${poolId} has no port block below 32768 (at most ${Math.floor((lastPortBelowEphemeral - firstBlockPort + 1) / blockSize)} workers)`);
  return { first, last };
}

/**
 * Returns a loopback port that is free now and was not returned before by this process: from this
 * vitest worker's own block when run under vitest, else one the kernel picks (another process may
 * then take it before the caller binds it; the window is small).
 */
export async function freeLoopbackPort(): Promise<number> {
  const block = workerBlock();
  if (block) {
    for (let port = block.first; port <= block.last; port++) {
      if (handedOut.has(port) || !(await isPortClosed(port))) continue;
      handedOut.add(port);
      return port;
    }
    throw new Error(`freeLoopbackPort: every port of ${block.first}-${block.last} (this worker's block) is handed out or in use`);
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await kernelFreePort();
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("freeLoopbackPort: no free loopback port after 50 attempts");
}
