// The webhooks' intake on a real HTTP server on 127.0.0.1: bodies read within a cap and stopped as soon as
// they go over it, refusals counted per address and answered 429 past the limit.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createIntake, type IntakeOptions } from "../bot/httpIntake.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A server that refuses a body without "ok" (400) and echoes the size of one with it. */
async function serve(options: IntakeOptions): Promise<string> {
  const intake = createIntake(options);
  server = createServer(async (req, res) => {
    if (intake.limited(req, res)) return;
    const body = await intake.read(req, res);
    if (!body) return;
    if (!body.includes("ok")) return intake.refuse(req, res, 400, "not ok");
    res.writeHead(200).end(String(body.length));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`;
}

/** Streams `total` bytes in 64 kB chunks without a declared length; resolves with the status and how much was written by then. */
function stream(url: string, total: number): Promise<{ status: number; written: number }> {
  return new Promise((resolve, reject) => {
    let written = 0;
    const req = request(url, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, written });
    });
    req.on("error", (e) => (written < total ? resolve({ status: -1, written }) : reject(e)));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (written < total) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

describe("webhook intake", () => {
  it("reads a body within the cap", async () => {
    const url = await serve({ maxBytes: 1024, refusalsPerMinute: 5 });
    const res = await fetch(url, { method: "POST", body: "ok".repeat(100) });
    expect([res.status, await res.text()]).toEqual([200, "200"]);
  });

  it("answers 413 to a declared 10 MB body at once, and to an undeclared one as soon as it passes the cap", async () => {
    const url = await serve({ maxBytes: 64 * 1024, refusalsPerMinute: 100 });
    // Only the headers and two bytes are sent: the answer comes without waiting for the rest.
    const res = await new Promise<number>((resolve) => {
      const req = request(url, { method: "POST", headers: { "content-length": String(10 << 20) } }, (r) => (r.resume(), resolve(r.statusCode!)));
      req.on("error", () => resolve(-1));
      req.write("ok");
    });
    expect(res).toBe(413);

    const streamed = await stream(url, 10 << 20);
    expect(streamed.status).toBe(413);
    expect(streamed.written).toBeLessThan(4 << 20);
  });

  it("counts refusals per address and answers 429 beyond the limit, with Retry-After", async () => {
    let t = 1_000_000;
    const url = await serve({ maxBytes: 1024, refusalsPerMinute: 3, now: () => t });
    for (let i = 0; i < 3; i++) expect((await fetch(url, { method: "POST", body: "nope" })).status).toBe(400);
    const limited = await fetch(url, { method: "POST", body: "ok" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    t += 61_000;
    expect((await fetch(url, { method: "POST", body: "ok" })).status).toBe(200);
  });
});
