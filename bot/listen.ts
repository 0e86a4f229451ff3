// Listening on a port, the same for each of the bot's HTTP servers (health, the Telegram webhook, the Official
// Account's): loopback unless a host is given, the port the system chose when 0 was asked for, and a close that
// resolves once the server has stopped.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";

/** A server listening: its port, and how to stop it. */
export interface Listening {
  port: number;
  close(): Promise<void>;
}

/**
 * Starts `server` on `port` (0: any free one) and `host` (default 127.0.0.1). `close` drops every connection at
 * once with `connections: "all"`; with `"idle"` a request still being read or answered is let finish.
 * @example const { port, close } = await listen(createServer(handler), 0, undefined, "all")
 */
export async function listen(server: Server, port: number, host: string | undefined, connections: "all" | "idle"): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host ?? "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (connections === "all") server.closeAllConnections();
        else server.closeIdleConnections();
      }),
  };
}
