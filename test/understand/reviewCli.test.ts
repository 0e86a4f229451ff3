// The review list of questions the bot could not answer, as staff use it: asked through the engine, then
// `npm run admin -- questions` as a process on the same database file: list, label, export as test cases that
// faq:accuracy's format reads.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { engineChat, openTestApp, tempDatabase } from "../support/wechatApp.js";

const runner = new URL("../../scripts/run.mjs", import.meta.url).pathname;
const KEY = "5a".repeat(32);
function admin(args: string[]) {
  const r = spawnSync(process.execPath, [runner, "admin", ...args], { encoding: "utf8", env: { ...process.env, DATA_KEY: KEY }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("admin questions", { timeout: 120_000 }, () => {
  it("lists the unanswered questions, labels them, and exports the labelled ones as YAML test cases", async () => {
    const path = tempDatabase();
    const app = await openTestApp(path);
    const say = engineChat(app, "wechat", "wxid_asker");
    await say("明天江阴会下雨吗");
    await say("电商培训有没有夜班 我叫王秀英");
    app.close();
    const base = ["--db", path, "--operator", "tester", "--key-file", `${path}.unused.key`];

    const listed = admin(["questions", "list", ...base, "--json"]);
    expect(listed.err).toBe("");
    const rows = JSON.parse(listed.out) as { id: number; text: string }[];
    expect(rows.map((r) => r.text)).toEqual(["明天江阴会下雨吗", "电商培训有没有夜班 我叫〔姓名〕"]);
    expect(listed.out).not.toContain("wxid_asker");

    expect(admin(["questions", "label", String(rows[0]!.id), "--topic", "not_ours", ...base]).code).toBe(0);
    expect(admin(["questions", "label", String(rows[1]!.id), "--topic", "content", ...base]).code).toBe(0);
    const wrong = admin(["questions", "label", String(rows[1]!.id), "--topic", "weather", ...base]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/expected one of .*not_ours/);
    expect(JSON.parse(admin(["questions", "list", ...base, "--json"]).out)).toEqual([]);

    const out = join(dirname(path), "questions-review.yaml");
    expect(admin(["questions", "export", "--out", out, ...base]).code).toBe(0);
    const exported = parse(readFileSync(out, "utf8")) as { questions: { q: string; topic: string }[] };
    expect(exported.questions).toEqual([
      { q: "明天江阴会下雨吗", topic: "unsure" },
      { q: "电商培训有没有夜班 我叫〔姓名〕", topic: "content" },
    ]);
  });
});
