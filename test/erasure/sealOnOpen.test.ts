// A database an earlier version wrote holds the answers to the check in the clear (a person's saved answers,
// enrolment snapshots, a conversation under way), and what its erasures deleted lingers in free pages. The
// first opening by this version seals every such answer and rebuilds the file once: afterwards no answer
// is readable in it, and everything reads back as before.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createVault } from "../../storage/crypto.js";
import { openDatabase } from "../../storage/db.js";
import { createDialogStore } from "../../storage/dialogStore.js";
import { DATA_KEY, openBot, scan } from "../support/erasure.js";
import { addClass, NOW } from "../storage/fixtures.js";

const ANSWERS = { ableToWork: true, healthy: false, ecommerce: "seeking", keyGroups: ["unemployed_disabled", "low_income_rural_household"] };
const DELETED = "deleted-by-an-earlier-version-9c1e";

describe("answers an earlier version stored in the clear", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("are sealed at the first opening, and the file is rebuilt so that no earlier copy stays in free pages", async () => {
    dir = mkdtempSync(join(tmpdir(), "erasure-seal-"));
    const path = join(dir, "bot.db");
    const made = openDatabase({ path });
    const { classId } = addClass(made.db, "JYPC", "K1");
    made.close();
    // As an earlier version wrote them: no secure_delete, answers as JSON.
    const old = new Database(path);
    const at = NOW.getTime();
    const person = Number(old.prepare("insert into people (facts, created_at, updated_at) values (?, ?, ?)").run(JSON.stringify(ANSWERS), at, at).lastInsertRowid);
    const chat = Number(old.prepare("insert into chat_identities (channel, external_id, person_id, created_at) values ('telegram', '77', ?, ?)").run(person, at).lastInsertRowid);
    const state = { flow: "check", step: "fact:keyGroups", token: "t", history: [], facts: ANSWERS, draft: {}, seq: 3 };
    old.prepare("insert into dialog_states (identity_id, flow, step, step_token, data, recent_updates, updated_at) values (?, 'check', 'fact:keyGroups', 't', ?, '[]', ?)").run(chat, JSON.stringify(state), at);
    old.prepare(
      `insert into enrolments (person_id, class_id, status, occupation, level, route, key_group, facts, decision, pack_version, created_at, updated_at)
       values (?, ?, 'confirmed', 'ecommerce_specialist', 4, 'key_group', 1, ?, ?, '2023.1', ?, ?)`,
    ).run(person, classId, JSON.stringify(ANSWERS), JSON.stringify({ route: "key_group", reasons: [{ code: "key_group_unemployed_disabled" }] }), at, at);
    const gone = Number(old.prepare("insert into people (facts, created_at, updated_at) values (?, ?, ?)").run(JSON.stringify({ note: DELETED.repeat(50) }), at, at).lastInsertRowid);
    old.prepare("delete from people where id = ?").run(gone);
    old.pragma("wal_checkpoint(TRUNCATE)");
    old.close();
    const plain = { answers: Buffer.from('"keyGroups":["unemployed_disabled","low_income_rural_household"]'), decision: Buffer.from("key_group_unemployed_disabled"), deleted: Buffer.from(DELETED) };
    expect(scan([path], plain)).toEqual(["answers in bot.db", "decision in bot.db", "deleted in bot.db"]);

    const app = await openBot(dir);
    // Everything reads back as it was: the person's answers (the pack's old fact names read as today's),
    // the conversation under way.
    const { ecommerce, ...rest } = ANSWERS;
    expect(app.services.savedFacts({ kind: "resident", personId: person }, person)).toEqual({ ...rest, sector: ecommerce });
    expect(app.sqlite.prepare("select data from dialog_states").pluck().get()).toMatch(/^\{"enc":"v1:/);
    // The roster's 人员类别 still reads the key groups from the sealed snapshot; the share counts the flag.
    expect(app.sqlite.prepare("select facts, decision, key_group as keyGroup from enrolments").get()).toEqual({ facts: expect.stringMatching(/^\{"enc":/), decision: expect.stringMatching(/^\{"enc":/), keyGroup: 1 });
    expect(String(app.services.process.rosterSheet({ kind: "bureau_operator", operator: "cli:test" }, classId, NOW).rows[0]![5])).toContain("登记失业的残疾人员");
    expect(JSON.parse(createDialogStore(app.sqlite, createVault(Buffer.from(DATA_KEY, "hex"))).load(chat)!)).toEqual(state);
    app.close();
    expect(scan([path, `${path}-wal`], plain)).toEqual([]);
  });
});
