// A tiny bot for test/ops/shutdown.test.ts: an update is "in hand" when the signal comes; the shutdown
// steps finish it, write its result and close the database. Usage: node --import tsx shutdownChild.ts DB [hang]
import { onShutdown, type ShutdownStep } from "../../bot/shutdown.js";
import { openDatabase } from "../../storage/db.js";

const [dbPath, mode] = process.argv.slice(2);
const { sqlite, close } = openDatabase({ path: dbPath! });
const say = (msg: string) => process.stdout.write(`${msg}\n`);

// The update in hand: it takes 300 ms more after the signal, or never ends in "hang" mode.
let finishUpdate: Promise<void> | undefined;
let accepting = true;
const steps: ShutdownStep[] = [
  { name: "channels", run: () => void (accepting = false) },
  {
    name: "update in hand",
    run: async () => {
      say("step: update in hand");
      await finishUpdate;
      sqlite.prepare("insert into meta (key, value) values ('test.update', 'done')").run();
      say("update finished");
    },
  },
  { name: "database", run: () => (close(), say("database closed")) },
];
onShutdown(steps, { log: (level, msg) => say(`${level}: ${msg}`) });
process.on("SIGTERM", () => {
  finishUpdate ??= mode === "hang" ? new Promise(() => {}) : new Promise((r) => setTimeout(r, 300));
});
// Keeps the process alive like a polling channel would.
setInterval(() => void accepting, 1000);
sqlite.prepare("insert into meta (key, value) values ('test.started', 'yes')").run();
say("ready");
