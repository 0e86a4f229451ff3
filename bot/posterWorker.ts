// The poster's drawing thread (see `renderPoster` in bot/poster.ts for why it has one): draws each poster
// it is sent and answers with the PNG or the error, tagged with the request's number.
import { parentPort } from "node:worker_threads";
import type { ClassPoster } from "../core/dialog/ports.js";
import { drawPoster } from "./poster.js";

/** A request from the bot's thread. */
export interface PosterRequest {
  id: number;
  poster: ClassPoster;
}
/** The answer: the PNG, or why there is none. */
export type PosterResponse = { id: number; png: Uint8Array } | { id: number; error: string };

const port = parentPort!;
port.on("message", async ({ id, poster }: PosterRequest) => {
  let response: PosterResponse;
  try {
    response = { id, png: await drawPoster(poster) };
  } catch (e) {
    response = { id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(response);
});
