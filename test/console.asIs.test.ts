// The console as the README's walkthrough uses it, as a process: `npm start -- --console --db FILE --as NAME`
// on a database of its own. Such a database is used as it is (the demo's plans and classes go only into the
// demo database), and each --as name is a person of its own, so staff and a resident can take turns.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { translator } from "../core/i18n.js";
import { openApp, systemClock } from "../bot/app.js";
import { classes, chatIdentities, trainingPlans } from "../storage/schema.js";
import { tempDir } from "./storage/fixtures.js";
import { KEY_HEX } from "./enrolment/helpers.js";

const main = new URL("../bot/main.ts", import.meta.url).pathname;

describe("the console on a database named with --db", { timeout: 60_000 }, () => {
  it("adds no demo data to it, and chats as the person --as names", async () => {
    const dir = tempDir();
    const db = join(dir, "walk.db");
    const chat = (as: string, lines: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", main, "--console", "--db", db, "--today", "2023-07-03", "--as", as], {
        input: lines.map((l) => `${l}\n`).join(""),
        encoding: "utf8",
        env: { ...process.env, DATA_KEY: KEY_HEX },
        timeout: 30_000,
      });
    const r = chat("resident-1", ["报名"]);
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(`【控制台】数据库：${db}（原样使用，不加入演示数据）；日期：2023-07-03（在项目实施期2023-06-15至2023-09-30内）。输入消息后回车，输入“帮助”查看指令，Ctrl+D 退出。`);
    // An empty programme: no school list of zeros, but that no class is open yet.
    expect(r.stdout).toContain(translator("zh-CN")("dialog.enrol.noneOpen", { contacts: "" }).slice(0, 8));
    expect(r.stdout).not.toContain("0个班可报");
    const app = await openApp({ databasePath: db, dataKey: KEY_HEX, keyFile: join(dir, "data.key"), clock: systemClock("Asia/Shanghai", "2023-07-03") });
    try {
      expect(app.db.select().from(trainingPlans).all()).toEqual([]);
      expect(app.db.select().from(classes).all()).toEqual([]);
      expect(app.db.select({ channel: chatIdentities.channel, externalId: chatIdentities.externalId }).from(chatIdentities).all()).toEqual([{ channel: "console", externalId: "resident-1" }]);
    } finally {
      app.close();
    }
  });
});
