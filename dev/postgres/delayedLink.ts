/**
 * A slow network link on loopback: a TCP proxy that holds every byte coming back from the
 * upstream for a fixed time before passing it on, so a standby streaming through it lags its
 * primary as one in another region does (us-east-1 to us-west-2 is some 60-70 ms apart).
 */
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { LOOPBACK } from "./pgNode";

export interface DelayedLink {
  /** The port to connect to instead of the upstream's. */
  port: number;
  /** Stops accepting, and ends every open connection. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 to `upstreamPort`; bytes from the upstream arrive `delayMs` late, in order. */
export async function startDelayedLink(upstreamPort: number, delayMs: number): Promise<DelayedLink> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, LOOPBACK);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk) => upstream.write(chunk));
    // Timers of equal delay fire in the order they were set: the stream keeps its order.
    upstream.on("data", (chunk) => setTimeout(() => client.destroyed || client.write(chunk), delayMs));
    client.on("end", () => upstream.end());
    upstream.on("end", () => setTimeout(() => client.end(), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
