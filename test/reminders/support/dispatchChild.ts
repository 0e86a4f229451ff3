// A dispatcher process for the crash test: sends the outbox of DB through the fake Bot API at API_ROOT
// and exits 0 once nothing is queued or sending. Usage: node --import tsx dispatchChild.ts DB API_ROOT TOKEN
import { Api } from "grammy";
import { createDispatcher } from "../../../bot/dispatcher.js";
import { openDatabase } from "../../../storage/db.js";
import { outboxCounts } from "../../../storage/outbox.js";
import { loadPackFile } from "../../../storage/packFile.js";

const [dbPath, apiRoot, token] = process.argv.slice(2) as [string, string, string];
const { db } = openDatabase({ path: dbPath });
const api = new Api(token, { apiRoot });
const dispatcher = createDispatcher({
  db,
  pack: loadPackFile(),
  senders: { telegram: (id, text) => api.sendMessage(Number(id), text).then(() => undefined) },
  quietHours: false, // the test runs at any hour
  limits: { telegram: { globalCount: 10_000, globalWindowMs: 1000, perChatGapMs: 0 } },
});
dispatcher.start();
const timer = setInterval(() => {
  const c = outboxCounts(db);
  if (c.queued + c.sending === 0) {
    clearInterval(timer);
    void dispatcher.stop().then(() => process.exit(0));
  }
}, 50);
