// The running bot's heap policy. What the bot keeps between messages is small (~25 MB: modules, pack,
// texts, prepared statements); what it allocates per message is short-lived. V8's default lets the old
// generation grow to about four times what is live before a full collection, which put the bot at
// ~270 MB resident after 10,000 chats (bench:chat). Growing it by a quarter instead keeps it near what
// is live: full collections come more often but stay small and mostly concurrent, and throughput and
// p99 did not move. A growth factor is not a cap: a large workbook still gets the memory it needs.
// The young generation, where each message's objects live and die, is sized before any code runs, so it is
// set on the command line (`npm run start:prod`, the systemd unit, `npm run bench:chat`):
// --max-semi-space-size=8 (MB, default 16) took resident memory after 10,000 chats from ~181 to ~164 MB
// (after 100,000 from 203 to 178) for about 5% of throughput and +0.2 ms p99; 4 cut it further but raised
// the p99 by a third.
import { setFlagsFromString } from "node:v8";

/**
 * Applies the policy; call once at start-up, before the bot takes messages.
 * @example keepHeapNearLive()
 */
export function keepHeapNearLive(): void {
  setFlagsFromString("--heap-growing-percent=25");
}
