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
 * Returns a loopback port that is free now and was not returned before by this process.
 * Another process may still take it before the caller binds it; the window is small.
 */
export async function freeLoopbackPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await kernelFreePort();
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("freeLoopbackPort: no free loopback port after 50 attempts");
}
